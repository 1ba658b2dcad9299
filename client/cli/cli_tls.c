/* cli_tls: what the command line shows and asks about TLS. The engine's
 * notices (a server without TLS, --insecure every time), the question
 * about a server certificate that does not verify (on a terminal only:
 * reject, accept once, accept always), and the certificate shown after a
 * TLS failure, loudly when it changed since it was accepted. The
 * decisions themselves are the engine's (ftp_tls.c, tlsclient.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_private.h"
#include "prompt.h"

/* Longest certificate description. */
#define TLS_DESCRIBE_MAX 2048

/* Prints a notice: warnings always, notes unless -q. */
static void tls_notice(void *arg, enum ftp_notice_kind kind, const char *text)
{
	struct cli *c = arg;
	if (kind == FTP_NOTICE_WARNING)
		cli_error(NULL, "warning: %s", text);
	else
		cli_note(c, "note: %s", text);
}

/* Prints the lines of text (a certificate description) on stderr. */
static void tls_show(const char *text)
{
	while (*text != '\0') {
		size_t n = strcspn(text, "\n");
		cli_tell("%.*s", (int)n, text);
		text += n;
		if (*text == '\n')
			text++;
	}
}

/* Asks the person at the terminal about a certificate that did not
 * verify. Anything but "once" or "always" rejects it. */
static enum ftp_cert_answer tls_ask(void *arg, const char *hostport, const struct tlsc_cert *cert)
{
	static const char *const words[] = { "reject", "once", "always", NULL };
	static const enum ftp_cert_answer answers[] = {
		FTP_CERT_REJECT, FTP_CERT_ACCEPT_ONCE, FTP_CERT_ACCEPT_ALWAYS,
	};
	struct cli *c = arg;
	char text[TLS_DESCRIBE_MAX];

	c->cert_shown = true;
	cli_tell("The server's certificate could not be verified:");
	tls_show(tlsc_cert_describe(cert, hostport, text, sizeof text));
	int i = prompt_choice("Accept it? [r]eject, accept [o]nce, accept [a]lways "
			      "(default: reject): ", words);
	return i >= 0 ? answers[i] : FTP_CERT_REJECT;
}

void cli_tls_setup(struct cli *c)
{
	ftp_set_notice(c->ftp, tls_notice, c);
	/* Only a person may accept a certificate: never -y, never a script. */
	if (isatty(STDIN_FILENO))
		ftp_set_cert_prompt(c->ftp, tls_ask, c);
}

void cli_tls_detail(struct cli *c)
{
	const struct ftp_tls_info *ti = ftp_tls_info(c->ftp);
	char text[TLS_DESCRIBE_MAX];
	bool shown = c->cert_shown;

	c->cert_shown = false;
	if (!ti->have_cert || shown || ti->trust == TLSC_TRUST_VERIFIED ||
	    ti->trust == TLSC_TRUST_KNOWN || ti->trust == TLSC_TRUST_PINNED ||
	    ti->trust == TLSC_TRUST_INSECURE)
		return;
	tls_show(tlsc_cert_describe(&ti->cert, ti->server, text, sizeof text));
	if (ti->trust == TLSC_TRUST_CHANGED)
		cli_tell("  accepted:    %s (in %s)", ti->stored, ti->store);
}
