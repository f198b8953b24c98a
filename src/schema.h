/* schema.h - bring a database to the newest schema, in one transaction. */
#ifndef QIAO_SCHEMA_H
#define QIAO_SCHEMA_H

#include "store.h"

/* Returns the schema version reached, or -1 (nothing changed; see db_errmsg). */
int schema_upgrade(db *d);

#endif
