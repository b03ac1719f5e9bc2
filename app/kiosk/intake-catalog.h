/* intake-catalog.h: per-session UI string catalog read from gettext .mo files
 *
 * The kiosk lets each resident choose a language for one session. glibc
 * gettext follows the process locale, which on a kiosk may be "C" (then
 * LANGUAGE is ignored) and whose locales may not be generated at all. So the
 * kiosk does not call setlocale() per session: it loads the compiled .mo
 * files itself and looks strings up by language code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define INTAKE_CATALOG_ERROR (intake_catalog_error_quark ())

/**
 * IntakeCatalogError:
 * @INTAKE_CATALOG_ERROR_MALFORMED: the data is not a well-formed GNU .mo file
 *   (wrong magic, truncated, an offset or length outside the data, a string
 *   without its terminating NUL, or text that is not UTF-8).
 * @INTAKE_CATALOG_ERROR_UNSUPPORTED: a well-formed .mo file this catalog does
 *   not read: a newer major revision, or a charset other than UTF-8.
 * @INTAKE_CATALOG_ERROR_NOT_FOUND: a resource directory holds no `<lang>.mo`.
 * @INTAKE_CATALOG_ERROR_INVALID_LANGUAGE: a language code that is not of the
 *   form "ll", "lll" or "ll_CC" (letters, digits, '_', '-', '@').
 */
typedef enum
{
  INTAKE_CATALOG_ERROR_MALFORMED,
  INTAKE_CATALOG_ERROR_UNSUPPORTED,
  INTAKE_CATALOG_ERROR_NOT_FOUND,
  INTAKE_CATALOG_ERROR_INVALID_LANGUAGE,
} IntakeCatalogError;

/* Where the build puts the kiosk's compiled translations (po/meson.build). */
#define INTAKE_CATALOG_KIOSK_RESOURCE_PATH "/org/intakekiosk/Kiosk/locale"

#define INTAKE_TYPE_CATALOG (intake_catalog_get_type ())

G_DECLARE_FINAL_TYPE (IntakeCatalog, intake_catalog, INTAKE, CATALOG, GObject)

GQuark          intake_catalog_error_quark        (void);

IntakeCatalog  *intake_catalog_new                (void);

/* Parses @mo and makes it the table for @language, replacing any earlier
 * one. On error the catalog is left as it was. @mo is kept (not copied):
 * looked-up strings point into it. */
gboolean        intake_catalog_add_mo             (IntakeCatalog       *self,
                                                   const char          *language,
                                                   GBytes              *mo,
                                                   GError             **error);
/* Adds every "<lang>.mo" directly under @resource_path in the registered
 * GResources, e.g. INTAKE_CATALOG_KIOSK_RESOURCE_PATH. */
gboolean        intake_catalog_load_resource_dir  (IntakeCatalog       *self,
                                                   const char          *resource_path,
                                                   GError             **error);

gboolean        intake_catalog_has_language       (IntakeCatalog       *self,
                                                   const char          *language);
/* Sorted language codes; free with g_strfreev(). */
char          **intake_catalog_dup_languages      (IntakeCatalog       *self);

/* The translation of @msgid, or @msgid itself (the English source) when the
 * language or the string is missing. Fuzzy and empty entries never reach a
 * .mo file, so they fall back too. The result stays valid until @language is
 * replaced or @self is finalized. For a plural entry the first form is
 * returned; UI strings avoid plurals (see docs/translations.md). */
const char     *intake_catalog_lookup             (IntakeCatalog       *self,
                                                   const char          *language,
                                                   const char          *msgid);
/* Same for an entry written with msgctxt (C_("context", "msgid")). */
const char     *intake_catalog_lookup_context     (IntakeCatalog       *self,
                                                   const char          *language,
                                                   const char          *context,
                                                   const char          *msgid);
/* TRUE when @language has its own, non-empty translation of @msgid. */
gboolean        intake_catalog_has_translation    (IntakeCatalog       *self,
                                                   const char          *language,
                                                   const char          *msgid);
/* Number of translated entries of @language (the header not counted). */
guint           intake_catalog_get_n_strings      (IntakeCatalog       *self,
                                                   const char          *language);
/* The msgids translated in @language, sorted; free with g_free() only
 * (the strings belong to the catalog). */
const char    **intake_catalog_dup_msgids         (IntakeCatalog       *self,
                                                   const char          *language);
/* Fraction (0..1) of @msgids that @language translates; 1.0 for none. */
double          intake_catalog_coverage           (IntakeCatalog       *self,
                                                   const char          *language,
                                                   const char * const  *msgids);
/* A field of the .mo header, e.g. "Language" or "X-Review-Status"
 * ("reviewed" or "draft"); NULL when absent. */
const char     *intake_catalog_get_header         (IntakeCatalog       *self,
                                                   const char          *language,
                                                   const char          *field);

G_END_DECLS
