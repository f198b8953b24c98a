/* rate.h - the public portal's limits on requests (SPEC "The public portal": abuse limited
 * by rate, per address and overall, never by a captcha).
 *
 * A route flagged R_RATED (http.h) is counted by the dispatcher before its handler runs:
 * its writes (the request form) and its reads (news, orgs, the status lookup) each in a
 * fixed window, per client address (the proxy's X-Forwarded-For from --trusted-proxy)
 * and for all clients together. Past a limit the answer is 429 with Retry-After (the
 * seconds left in the window) and a message saying so in the reader's language. The
 * limits are the admin's settings (portal.c: GET/PUT /api/v1/portal/settings), the
 * defaults below until changed; the counts live in memory (a restart forgets them). */
#ifndef QIAO_RATE_H
#define QIAO_RATE_H

#include "http.h"

#define RATE_WRITE_WINDOW 3600 /* seconds: the request form's window */
#define RATE_READ_WINDOW  60   /* seconds: every public read's window */

/* The settings' keys in qiao_meta and their defaults. */
#define RATE_WRITE_ADDR_KEY  "portal.requests_per_address"
#define RATE_WRITE_ADDR_DFLT 5
#define RATE_WRITE_ALL_KEY   "portal.requests_total"
#define RATE_WRITE_ALL_DFLT  200
#define RATE_READ_ADDR_KEY   "portal.reads_per_address"
#define RATE_READ_ADDR_DFLT  120
#define RATE_READ_ALL_KEY    "portal.reads_total"
#define RATE_READ_ALL_DFLT   6000

/* Count r (a write unless GET or HEAD) against the limits. 0 when admitted; -1 with a 429
 * answered in r. */
int rate_check(struct req *r);

#endif
