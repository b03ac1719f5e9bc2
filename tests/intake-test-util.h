/* intake-test-util.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A new private directory under $TMPDIR; remove it with intake_test_rm_rf(). */
char    *intake_test_tmpdir_new   (void);
void     intake_test_rm_rf        (const char *path);
/* Path of a file in tests/data/. */
char    *intake_test_data_path    (const char *name);
/* Path of a file relative to the source root (e.g. "resources/x.json"). */
char    *intake_test_source_path  (const char *relative);
void     intake_test_write_file   (const char *path,
                                   const char *contents);
/* For tests of the staff's strings (gettext domain intake-staff): the
 * locale from the environment and the catalogs of the build directory
 * ($INTAKE_LOCALEDIR), as intake-review and intake-admin do in main().
 * tests/meson.build runs those tests with LC_ALL=C.UTF-8 and LANGUAGE=nl
 * (Dutch) or LANGUAGE= (English). */
void     intake_test_init_staff_i18n (void);
/* Runs argv (NULL-terminated), returns the exit status; stdout/stderr captured when non-NULL. */
int      intake_test_run          (const char * const *argv,
                                   const char         *stdin_text,
                                   char              **out_stdout,
                                   char              **out_stderr);

/* The value of the sample @name (with its labels, as written) in the
 * Prometheus text @metrics (intake-server's /metrics), or -1. */
gint64   intake_test_metric_value (GBytes             *metrics,
                                   const char         *name);

G_END_DECLS
