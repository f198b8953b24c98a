/* routes.c - every URL of the API in one table: method, pattern, handler, the module and
 * permission the dispatcher checks before the handler runs (STYLE 6), flags.
 * Specific patterns come before the generic {entity} ones; the first match wins.
 * module NULL means the module of the {entity} in the URL. */
#include "api.h"
#include "auth.h"
#include "dedup.h"
#include "import.h"
#include "case.h"
#include "search.h"
#include "country.h"
#include "region.h"
#include "registry.h"

const struct route routes[] = {
    {"POST", "/api/v1/session", session_login_h, NULL, P_PUBLIC, 0},
    {"GET", "/api/v1/session", session_get_h, NULL, P_PUBLIC, 0},
    {"DELETE", "/api/v1/session", session_logout_h, NULL, P_NONE, R_ANYPASS},
    {"POST", "/api/v1/session/password", session_passwd_h, NULL, P_NONE, R_ANYPASS},
    {"GET", "/api/v1/schema", schema_h, NULL, P_NONE, R_ANYPASS},
    {"GET", "/api/v1/audit", audit_list_h, "audit", P_ADMIN, 0},
    {"GET", "/api/v1/regions", regions_h, NULL, P_NONE, 0},
    {"GET", "/api/v1/regions/{id}", region_h, NULL, P_NONE, 0},
    {"GET", "/api/v1/org/tree", org_tree_h, "org", P_VIEW, 0},
    {"POST", "/api/v1/user", user_create_h, "user", P_ADMIN, 0},
    {"POST", "/api/v1/user/{id}/password", user_setpw_h, "user", P_ADMIN, 0},
    {"POST", "/api/v1/user/{id}/unlock", user_unlock_h, "user", P_ADMIN, 0},
    {"GET", "/api/v1/search", search_h, "registry", P_VIEW, 0},
    {"GET", "/api/v1/countries", countries_h, NULL, P_NONE, 0},
    {"GET", "/api/v1/{entity}/{id}/relations", relations_h, "registry", P_VIEW, 0},
    {"GET", "/api/v1/{entity}/{id}/contacts", contacts_h, "registry", P_VIEW, 0},
    {"GET", "/api/v1/case", case_list_h, "case", P_VIEW, 0},
    {"GET", "/api/v1/case/assignees", case_assignees_h, "case", P_EDIT, 0},
    {"GET", "/api/v1/case/{id}", case_read_h, "case", P_VIEW, 0},
    {"POST", "/api/v1/case/{id}/transition", case_transition_h, "case", P_EDIT, R_UPLOAD},
    {"POST", "/api/v1/case/{id}/note", case_note_h, "case", P_EDIT, R_UPLOAD},
    {"GET", "/api/v1/case/{id}/timeline", case_timeline_h, "case", P_VIEW, 0},
    {"GET", "/api/v1/case/file/{id}", case_file_h, "case", P_VIEW, 0},
    {"GET", "/api/v1/reports/cases", case_report_h, "report", P_VIEW, 0},
    {"GET", "/api/v1/export/{entity}.csv", export_csv_h, NULL, P_EXPORT, 0},
    {"GET", "/api/v1/export/{entity}.xlsx", export_xlsx_h, NULL, P_EXPORT, 0},
    {"POST", "/api/v1/import/{entity}", import_h, NULL, P_EDIT, R_UPLOAD},
    {"GET", "/api/v1/import/jobs/{id}", import_job_h, NULL, P_NONE, 0},
    {"GET", "/api/v1/dedup/person", dedup_list_h, "registry", P_EDIT, 0},
    {"POST", "/api/v1/dedup/person/merge", dedup_merge_h, "registry", P_DELETE, 0},
    {"POST", "/api/v1/dedup/person/dismiss", dedup_dismiss_h, "registry", P_EDIT, 0},
    {"POST", "/api/v1/dedup/person/restore", dedup_restore_h, "registry", P_EDIT, 0},
    {"GET", "/api/v1/{entity}", list_h, NULL, P_VIEW, 0},
    {"POST", "/api/v1/{entity}", create_h, NULL, P_EDIT, 0},
    {"GET", "/api/v1/{entity}/{id}", read_h, NULL, P_VIEW, 0},
    {"PATCH", "/api/v1/{entity}/{id}", update_h, NULL, P_EDIT, 0},
    {"DELETE", "/api/v1/{entity}/{id}", delete_h, NULL, P_DELETE, 0},
    {NULL},
};
