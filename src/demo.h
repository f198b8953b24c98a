/* demo.h - `qiao demo`: fill an initialised database with an invented federation. */
#ifndef QIAO_DEMO_H
#define QIAO_DEMO_H

#include "store.h"

#define DEMO_PASSWORD "qiao-demo-2024"

/* Adds the demo orgs and users under org 1, in one transaction. Prints the logins.
 * Returns the exit status (0, or 1 with a message). Refuses a database that already has
 * orgs below the root. */
int demo_fill(db *d);

#endif
