/* civil: dates of the proleptic Gregorian calendar (year, month 1..12,
 * day 1..31) to and from day counts since 1970-01-01, by arithmetic:
 * no time zone, no lock, no table. The server writes MLSx times with it
 * and the client reads listing dates with it, a listing's worth per
 * call, where gmtime_r and timegm would cost a lock or a search each. */
#ifndef FERRY_CIVIL_H
#define FERRY_CIVIL_H

/* Days from 1970-01-01 to year-month-day (negative before it); month is
 * 1..12. Linear in day, so a day past the month's end counts on into
 * the next month, as timegm normalises it. */
long long civil_to_days(long long year, long long month, long long day);
/* The date days after 1970-01-01 (before it if negative) into *year,
 * *month (1..12) and *day (1..31). */
void civil_from_days(long long days, long long *year, long long *month, long long *day);

#endif
