/* cmd_tls: AUTH, PBSZ, PROT and CCC (RFC 4217, RFC 2228). The session's
 * TLS itself is ftps.c's; these commands only move its state. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "commands.h"
#include "ftps.h"
#include "tls.h"

void cmd_auth(struct session *s, const char *arg)
{
	if (!ftps_offered()) {
		session_reply(s, FTP_NOT_IMPLEMENTED, "AUTH not available: TLS is not configured.");
		return;
	}
	if (strcasecmp(arg, "TLS") != 0 && strcasecmp(arg, "SSL") != 0) {
		session_reply(s, FTP_BAD_PARAMETER, "AUTH takes TLS (or SSL).");
		return;
	}
	if (s->tls) {
		session_reply(s, FTP_BAD_SEQUENCE, "TLS is already on.");
		return;
	}
	session_reply(s, FTP_AUTH_OK, "AUTH %s ok; TLS handshake follows.",
		      strcasecmp(arg, "TLS") == 0 ? "TLS" : "SSL");
	if (!ftps_control_start(s))
		s->quit = true;
}

void cmd_pbsz(struct session *s, const char *arg)
{
	long long v;
	const char *end;
	if (!s->tls) {
		session_reply(s, FTP_BAD_SEQUENCE, "PBSZ needs AUTH TLS first.");
		return;
	}
	if (!session_parse_count(arg, &end, &v) || *end != '\0') {
		session_reply(s, FTP_BAD_ARGUMENTS, "PBSZ takes a number (0 under TLS).");
		return;
	}
	s->prot_pbsz = true;
	session_reply(s, FTP_OK, "PBSZ=0");
}

void cmd_prot(struct session *s, const char *arg)
{
	if (!s->tls || !s->prot_pbsz) {
		session_reply(s, FTP_BAD_SEQUENCE, "PROT needs %s first.",
			      s->tls ? "PBSZ" : "AUTH TLS and PBSZ");
		return;
	}
	if (strcasecmp(arg, "P") == 0) {
		s->prot_private = true;
		session_reply(s, FTP_OK, "Protection level set to Private: data connections use TLS.");
	} else if (strcasecmp(arg, "C") == 0) {
		if (s->cfg->tls.mode == TLS_REQUIRED) {
			session_reply(s, FTP_POLICY_DENIED,
				      "PROT C refused: this server requires protected data (PROT P).");
			return;
		}
		s->prot_private = false;
		session_reply(s, FTP_OK, "Protection level set to Clear.");
	} else if (strcasecmp(arg, "S") == 0 || strcasecmp(arg, "E") == 0) {
		session_reply(s, FTP_PROT_NOT_SUPPORTED, "PROT %s is not supported; use P or C.", arg);
	} else {
		session_reply(s, FTP_BAD_PARAMETER, "PROT takes P or C.");
	}
}

void cmd_ccc(struct session *s, const char *arg)
{
	if (!ftps_offered()) {
		session_reply(s, FTP_NOT_IMPLEMENTED, "CCC not available: TLS is not configured.");
		return;
	}
	session_reply(s, FTP_POLICY_DENIED, "CCC refused: the control connection stays protected.");
}
