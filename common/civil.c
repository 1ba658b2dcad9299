/* civil: Gregorian dates to and from day counts (see civil.h).
 *
 * Both directions count in 400-year eras (146097 days each, the
 * calendar's whole cycle) of years that start on March 1st, so that the
 * leap day, when there is one, is the last day of its year: the day of
 * the year then depends on the month alone (153 days for every five
 * months from March), and the year's length on the year alone. Day 0 of
 * era 0 is 0000-03-01, 719468 days before 1970-01-01. */
#include "config.h"

#include "civil.h"

/* Days from 0000-03-01 to 1970-01-01. */
#define CIVIL_EPOCH_SHIFT 719468
/* Days in an era of 400 years. */
#define CIVIL_ERA_DAYS 146097

/* floor(a / b) for b > 0. */
static long long civil_div(long long a, long long b)
{
	return (a >= 0 ? a : a - (b - 1)) / b;
}

long long civil_to_days(long long year, long long month, long long day)
{
	long long y = year - (month <= 2);                            /* March-based */
	long long era = civil_div(y, 400);
	long long yoe = y - era * 400;                                /* 0..399 */
	long long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * CIVIL_ERA_DAYS + doe - CIVIL_EPOCH_SHIFT;
}

void civil_from_days(long long days, long long *year, long long *month, long long *day)
{
	long long z = days + CIVIL_EPOCH_SHIFT;
	long long era = civil_div(z, CIVIL_ERA_DAYS);
	long long doe = z - era * CIVIL_ERA_DAYS;                              /* 0..146096 */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
	long long mp = (5 * doy + 2) / 153;                                    /* 0 = March */
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}
