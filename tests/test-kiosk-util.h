/* test-kiosk-util.h: a kiosk window on a throwaway state directory, for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "intake-keys.h"
#include "intake-kiosk-window.h"
#include "intake-question-view.h"

G_BEGIN_DECLS

typedef struct {
  char               *tmp;
  char               *state_dir;
  char               *questionnaire_path;
  gboolean            full_questionnaire;  /* resources/questionnaires/intake.json */
  IntakeOfficeSecret *secret;
  IntakeKiosk        *kiosk;
  IntakeKioskWindow  *window;
} KioskFixture;

/* The eight kiosk languages. */
extern const char *const kiosk_test_languages[];

/* Call after gtk_test_init(): adw_init(), light style, no animations. */
void        kiosk_test_init                (void);
/* The questionnaire of the tests: resources/questionnaires/intake.json when it
 * exists and loads, else tests/data/questionnaire-valid.json widened to the
 * eight languages (the English texts copied into the five languages the
 * fixture lacks) and written to @dir. */
char       *kiosk_test_questionnaire_path  (const char   *dir,
                                            gboolean      allow_full,
                                            gboolean     *out_full);

void        kiosk_fixture_setup            (KioskFixture *f,
                                            gconstpointer data);
/* The same, always on the widened fixture (tests that need its questions). */
void        kiosk_fixture_setup_fixture    (KioskFixture *f,
                                            gconstpointer data);
/* The same, on a questionnaire @prepare makes from the tests' one in @dir
 * (e.g. with recordings beside it); it returns the new file's path. */
typedef char *(*KioskPrepareFunc) (const char *dir,
                                   const char *questionnaire_path);
void        kiosk_fixture_setup_prepared   (KioskFixture     *f,
                                            KioskPrepareFunc  prepare);
void        kiosk_fixture_teardown         (KioskFixture *f,
                                            gconstpointer data);

/* Spins the main loop for @ms milliseconds (no sleeping). */
void        kiosk_test_spin                (guint         ms);
/* Spins until the window shows @screen; FALSE after @timeout_ms. */
gboolean    kiosk_test_wait_screen         (KioskFixture *f,
                                            const char   *screen,
                                            guint         timeout_ms);
void        kiosk_test_screenshot          (KioskFixture *f,
                                            const char   *name);
/* Where artifacts go: $INTAKE_TEST_ARTIFACTS or G_TEST_BUILDDIR/artifacts. */
char       *kiosk_test_artifacts_dir       (const char   *sub);

/* The visible descendants of @root carrying @css_class, in tree order. */
GPtrArray  *kiosk_test_find_by_class       (GtkWidget    *root,
                                            const char   *css_class);
/* Every descendant of @root, visible or not (stack pages included). */
void        kiosk_test_collect_widgets     (GtkWidget    *root,
                                            GPtrArray    *out);
/* A widget of the subtree whose visible text (label, button label, editable
 * text) or accessible label contains @needle; NULL when there is none. */
GtkWidget  *kiosk_test_find_text           (GtkWidget    *root,
                                            const char   *needle);

/* Puts @answer into the question view's real input widgets (check buttons,
 * toggles, entries; a declined answer ticks "I would rather not say"). */
void        kiosk_test_give_answer         (KioskFixture         *f,
                                            const IntakeQuestion *question,
                                            const IntakeAnswer   *answer);
/* A valid answer this test chooses for @question. */
IntakeAnswer *kiosk_test_choose_answer     (const IntakeQuestion *question,
                                            guint                 variant);

guint       kiosk_test_outbox_count        (KioskFixture *f);
/* Opens the newest envelope of the outbox with the office secret and
 * returns its session JSON. */
JsonNode   *kiosk_test_open_newest         (KioskFixture *f);
/* The canonical JSON of @session_json without started_at / finished_at. */
char       *kiosk_test_canonical_without_times (JsonNode *session_json);

G_END_DECLS
