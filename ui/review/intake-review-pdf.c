/* intake-review-pdf.c: a printable PDF of a submission for the intake conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The document is what the caseworker takes into the conversation: the
 * resident's name and date of birth in the title, the server's metadata, the
 * summary (an aid, never a decision: its fixed heading says so, and every
 * line names the questions it comes from), the notes, then every answer in
 * Dutch. Every text is at least 10 pt; the document has as many A4 pages as
 * it needs, nothing is left out. Pango lays out right-to-left free text in
 * its own direction, per paragraph.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "intake-rendering.h"
#include "intake-review-pdf.h"
#include "intake-secure.h"
#include "intake-summary.h"

G_DEFINE_QUARK (intake-review-pdf-error-quark, intake_review_pdf_error)

/* A4 portrait in PostScript points. */
#define PAGE_WIDTH    595.276
#define PAGE_HEIGHT   841.890
#define MARGIN         48.0
#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN)
/* Noto Sans Arabic for Arabic and Farsi free text; fontconfig falls back for the rest. */
#define FONT_FAMILY   "Noto Sans, Noto Sans Arabic"

/* Every text on the page is at least 10 pt (the smallest, SMALL_SIZE:
 * sources, the footer); the body is 11 pt. Nothing shrinks to fit: the
 * document has as many pages as the submission needs. */
#define TITLE_SIZE    16.0
#define HEADING_SIZE  13.0
#define SECTION_SIZE  11.5
#define BODY_SIZE     11.0
#define SMALL_SIZE    10.0

typedef enum {
  BLOCK_TITLE,
  BLOCK_HEADING,
  BLOCK_SECTION,
  BLOCK_TEXT,
  BLOCK_SMALL,
} BlockKind;

typedef struct {
  BlockKind  kind;
  double     space_before;
  gboolean   keep_with_next;   /* a heading stays with what follows */
  char      *markup;
} Block;

static void
block_clear (gpointer data)
{
  Block *block = data;

  /* The markup holds a resident's answers: wipe it like the rendering does. */
  g_clear_pointer (&block->markup, intake_secure_strfree);
}

static void
add_block (GArray     *blocks,
           BlockKind   kind,
           double      space_before,
           char       *markup /* transfer full */)
{
  Block block = { kind, space_before, kind == BLOCK_HEADING || kind == BLOCK_SECTION, markup };

  g_array_append_val (blocks, block);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autoptr(IntakeSecureStr) escaped = g_markup_escape_text (text != NULL && *text ? text : "—", -1);

  g_string_append (out, escaped);
}

static void
add_field (GArray     *blocks,
           const char *name,
           const char *value)
{
  g_autoptr(IntakeSecureString) line = g_string_new (NULL);
  g_autofree char *escaped_name = g_markup_escape_text (name, -1);

  if (value == NULL || *value == '\0')
    return;
  g_string_append_printf (line, "<b>%s:</b> ", escaped_name);
  append_escaped (line, value);
  add_block (blocks, BLOCK_TEXT, 0, g_strdup (line->str));
}

static const char *
question_text_of (const IntakeRendering *rendering,
                  const char            *code)
{
  for (guint i = 0; i < rendering->n_rows; i++)
    if (g_str_equal (rendering->rows[i].code, code))
      return rendering->rows[i].question_text;
  return code;
}

static void
build_header (GArray                    *blocks,
              IntakeSubmission          *submission,
              const IntakeRendering     *rendering,
              const IntakeReviewPdfMeta *meta)
{
  g_autoptr(IntakeSecureStr) name = intake_submission_dup_display_name (submission);
  g_autoptr(IntakeSecureStr) birth = intake_submission_dup_birth_date (submission);
  g_autoptr(IntakeSecureString) title = g_string_new (NULL);
  g_autofree char *language = NULL;

  /* Translators: the PDF's title, with the resident's name. */
  g_string_append (title, _("Intake conversation"));
  g_string_append (title, " — ");
  /* Translators: in the PDF's title, for a resident who gave no name. */
  append_escaped (title, *name != '\0' ? name : _("no name given"));
  if (birth != NULL)
    {
      /* Translators: after the name in the PDF's title: the date of birth. */
      g_autofree char *born = g_markup_printf_escaped (_("born %s"), birth);

      g_string_append_printf (title, "\n<span size=\"smaller\">%s</span>", born);
    }
  add_block (blocks, BLOCK_TITLE, 0, g_strdup (title->str));

  add_field (blocks, _("Reference"), meta->reference);
  add_field (blocks, _("Received"), meta->received);
  add_field (blocks, _("Waiting"), meta->waiting);
  add_field (blocks, _("Location"), meta->location);
  add_field (blocks, _("State"), meta->state);
  add_field (blocks, _("Assigned to"), meta->assignee);
  add_field (blocks, _("Unit"), meta->unit);
  add_field (blocks, _("Conversation on"), meta->appointment);
  language = rendering->language_autonym != NULL
             ? g_strdup_printf ("%s (%s)", rendering->language_name, rendering->language_autonym)
             : g_strdup (rendering->language_name ? rendering->language_name : rendering->language);
  add_field (blocks, _("Resident’s language"), language);
  if (rendering->language_draft)
    add_block (blocks, BLOCK_TEXT, 0,
               /* Translators: Pango markup; keep the <b> tags. */
               g_strdup (_("<b>Note:</b> the resident read a draft translation of the questions.")));
  add_field (blocks, _("Filled in"), rendering->finished_at);
  if (rendering->questionnaire_title != NULL)
    {
      /* Translators: the questionnaire's title (its own text) and version. */
      g_autofree char *questionnaire = g_strdup_printf (_("%s, version %u"), rendering->questionnaire_title,
                                                        rendering->questionnaire_version);

      add_field (blocks, _("Questionnaire"), questionnaire);
    }
}

static void
build_summary (GArray                *blocks,
               IntakeSummary         *summary,
               const IntakeRendering *rendering)
{
  const char *previous_title = NULL;

  add_block (blocks, BLOCK_HEADING, 14, g_markup_escape_text (intake_summary_get_heading (summary), -1));
  if (intake_summary_get_n_lines (summary) == 0)
    add_block (blocks, BLOCK_TEXT, 2, g_markup_escape_text (_("No answers to summarise here."), -1));
  for (guint i = 0; i < intake_summary_get_n_lines (summary); i++)
    {
      const IntakeSummaryLine *line = intake_summary_get_line (summary, i);
      const char *title = intake_summary_topic_title (line->topic);
      g_autoptr(IntakeSecureString) text = g_string_new (NULL);

      if (title != NULL && g_strcmp0 (title, previous_title) != 0)
        add_block (blocks, BLOCK_SECTION, 8, g_markup_escape_text (title, -1));
      previous_title = title;

      g_string_append (text, "<b>");
      append_escaped (text, line->label);
      g_string_append (text, ":</b> ");
      append_escaped (text, line->text);
      if (line->text_language_name != NULL)
        {
          /* Translators: after the resident's own words: the language they wrote in. */
          g_autofree char *written = g_markup_printf_escaped (_("(written in %s)"), line->text_language_name);

          g_string_append_printf (text, " <i>%s</i>", written);
        }
      add_block (blocks, BLOCK_TEXT, 3, g_strdup (text->str));
      if (line->sources != NULL && line->sources[0] != NULL)
        {
          g_autoptr(GString) from = g_string_new (NULL);
          g_autofree char *prefix = g_markup_escape_text (_("from: "), -1);

          g_string_append (from, prefix);
          for (guint j = 0; line->sources[j] != NULL; j++)
            {
              g_autofree char *question = g_markup_printf_escaped (_("question “%s”"),
                                                                   question_text_of (rendering, line->sources[j]));

              if (j > 0)
                g_string_append (from, ", ");
              g_string_append (from, question);
            }
          add_block (blocks, BLOCK_SMALL, 0, g_string_free (g_steal_pointer (&from), FALSE));
        }
    }
}

static void
build_notes (GArray    *blocks,
             GPtrArray *notes)
{
  add_block (blocks, BLOCK_HEADING, 14, g_markup_escape_text (_("Notes"), -1));
  if (notes == NULL || notes->len == 0)
    add_block (blocks, BLOCK_TEXT, 2, g_markup_escape_text (_("No notes yet."), -1));
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    {
      const IntakeReviewNote *note = g_ptr_array_index (notes, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (note->created_at);
      g_autofree char *time = when != NULL ? g_date_time_format (when, "%d-%m-%Y %H:%M") : g_strdup ("?");
      g_autoptr(IntakeSecureString) text = g_string_new (NULL);
      g_autofree char *who = g_markup_printf_escaped ("<b>%s — %s</b>\n", time, note->reviewer ? note->reviewer : "?");

      g_string_append (text, who);
      append_escaped (text, (const char *)note->text->data);
      add_block (blocks, BLOCK_TEXT, 6, g_strdup (text->str));
    }
}

static void
build_answers (GArray                *blocks,
               const IntakeRendering *rendering)
{
  const char *section = NULL;

  add_block (blocks, BLOCK_HEADING, 14, g_markup_escape_text (_("All answers"), -1));
  for (guint i = 0; i < rendering->n_rows; i++)
    {
      const IntakeRenderedRow *row = &rendering->rows[i];
      g_autoptr(IntakeSecureString) text = g_string_new (NULL);

      if (row->section_title != NULL && g_strcmp0 (row->section_title, section) != 0)
        add_block (blocks, BLOCK_SECTION, 8, g_markup_escape_text (row->section_title, -1));
      section = row->section_title;

      /* The question, then the answer in a paragraph of its own (so that
       * Pango gives free text its own direction, right to left for Arabic). */
      g_string_append (text, "<b>");
      append_escaped (text, row->question_text);
      g_string_append (text, "</b>\n");
      if (row->state != INTAKE_ROW_ANSWERED)
        g_string_append (text, "<span foreground=\"#444444\"><i>");
      append_escaped (text, row->answer_text);
      if (row->state != INTAKE_ROW_ANSWERED)
        g_string_append (text, "</i></span>");
      add_block (blocks, BLOCK_TEXT, 5, g_strdup (text->str));
      if (row->text_language_name != NULL)
        {
          g_autofree char *written = g_markup_printf_escaped (_("Written in %s; not translated"),
                                                              row->text_language_name);

          add_block (blocks, BLOCK_SMALL, 0, g_strdup_printf ("<i>%s</i>", written));
        }
    }
}

/* ------------------------------------------------------------------ */
/* Layout: page after page                                              */

static PangoLayout *
new_layout (PangoContext *context,
            const char   *markup,
            BlockKind     kind)
{
  PangoLayout *layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);
  double size = BODY_SIZE;

  switch (kind)
    {
    case BLOCK_TITLE:
      size = TITLE_SIZE;
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      break;
    case BLOCK_HEADING:
      size = HEADING_SIZE;
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      break;
    case BLOCK_SECTION:
      size = SECTION_SIZE;
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      break;
    case BLOCK_SMALL:
      size = SMALL_SIZE;
      break;
    case BLOCK_TEXT:
    default:
      break;
    }
  pango_font_description_set_size (font, (int)(size * PANGO_SCALE));
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int)(CONTENT_WIDTH * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, markup, -1);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double)logical.height / PANGO_SCALE;
}

static const char *
confidential_text (void)
{
  /* Translators: the footer of the PDF. */
  return _("Confidential — only for the intake conversation");
}

static double
footer_height (PangoContext *context,
               const char   *footer)
{
  g_autofree char *confidential = g_markup_escape_text (footer, -1);
  g_autoptr(PangoLayout) layout = new_layout (context, confidential, BLOCK_SMALL);

  return layout_height (layout) + 14;
}

static void
draw_footer (cairo_t      *cr,
             PangoContext *context,
             const char   *footer,
             guint         page,
             guint         n_pages,
             const char   *printed_at)
{
  /* Translators: the footer of the PDF: page n of N, and when it was printed. */
  g_autofree char *right_text = g_strdup_printf (_("Page %u of %u · printed on %s"), page, n_pages, printed_at);
  g_autofree char *right_markup = g_markup_escape_text (right_text, -1);
  g_autofree char *confidential = g_markup_printf_escaped ("<b>%s</b>", footer);
  g_autoptr(PangoLayout) left = new_layout (context, confidential, BLOCK_SMALL);
  g_autoptr(PangoLayout) right = new_layout (context, right_markup, BLOCK_SMALL);
  double y = PAGE_HEIGHT - MARGIN - layout_height (left);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, MARGIN, y - 5);
  cairo_line_to (cr, PAGE_WIDTH - MARGIN, y - 5);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  cairo_move_to (cr, MARGIN, y);
  pango_cairo_show_layout (cr, left);
  pango_layout_set_alignment (right, PANGO_ALIGN_RIGHT);
  cairo_move_to (cr, MARGIN, y);
  pango_cairo_show_layout (cr, right);
  cairo_restore (cr);
}

typedef struct {
  cairo_t      *cr;          /* NULL: only count the pages */
  PangoContext *context;
  double        bottom;      /* the lowest y text may reach */
  double        y;
  guint         page;
  guint         n_pages;     /* known in the drawing pass */
  const char   *printed_at;
  const char   *footer;      /* "Confidential — ..." on every page */
} Flow;

static void
next_page (Flow *flow)
{
  if (flow->cr != NULL)
    {
      draw_footer (flow->cr, flow->context, flow->footer, flow->page, flow->n_pages, flow->printed_at);
      cairo_show_page (flow->cr);
    }
  flow->page++;
  flow->y = MARGIN;
}

static void
draw_layout_at (Flow        *flow,
                PangoLayout *layout,
                BlockKind    kind,
                double       y)
{
  if (flow->cr == NULL)
    return;
  if (kind == BLOCK_HEADING)
    {
      cairo_set_source_rgb (flow->cr, 0.92, 0.92, 0.92);
      cairo_rectangle (flow->cr, MARGIN - 4, y - 2, CONTENT_WIDTH + 8, layout_height (layout) + 4);
      cairo_fill (flow->cr);
    }
  cairo_set_source_rgb (flow->cr, kind == BLOCK_SMALL ? 0.25 : 0, kind == BLOCK_SMALL ? 0.25 : 0,
                        kind == BLOCK_SMALL ? 0.25 : 0);
  cairo_move_to (flow->cr, MARGIN, y);
  pango_cairo_show_layout (flow->cr, layout);
}

/* A block taller than what is left of a page goes on line by line, page
 * after page (a long free text); nothing is ever cut off. */
static void
flow_lines (Flow        *flow,
            PangoLayout *layout,
            BlockKind    kind)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);

  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      double height, baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      height = (double)logical.height / PANGO_SCALE;
      baseline = (double)(pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;
      if (flow->y + height > flow->bottom)
        next_page (flow);
      if (flow->cr != NULL)
        {
          cairo_set_source_rgb (flow->cr, 0, 0, 0);
          cairo_move_to (flow->cr, MARGIN + (double)logical.x / PANGO_SCALE, flow->y + baseline);
          pango_cairo_show_layout_line (flow->cr, line);
        }
      flow->y += height;
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}

static void
flow_blocks (Flow   *flow,
             GArray *blocks)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      const Block *block = &g_array_index (blocks, Block, i);
      g_autoptr(PangoLayout) layout = new_layout (flow->context, block->markup, block->kind);
      double height = layout_height (layout);
      double need = height;
      double space = flow->y > MARGIN ? block->space_before : 0;

      /* A heading is not left alone at the bottom of a page. */
      if (block->keep_with_next && i + 1 < blocks->len)
        {
          const Block *next = &g_array_index (blocks, Block, i + 1);
          g_autoptr(PangoLayout) next_layout = new_layout (flow->context, next->markup, next->kind);

          need += next->space_before + MIN (layout_height (next_layout), 3 * BODY_SIZE * 1.4);
        }
      if (flow->y + space + need > flow->bottom && flow->y > MARGIN)
        {
          next_page (flow);
          space = 0;
        }
      flow->y += space;
      if (flow->y + height <= flow->bottom)
        {
          draw_layout_at (flow, layout, block->kind, flow->y);
          flow->y += height;
        }
      else
        flow_lines (flow, layout, block->kind);
    }
}

/* Lays the blocks out on as many pages as they need; with @cr NULL only
 * counts them. */
static guint
run_flow (cairo_t      *cr,
          PangoContext *context,
          GArray       *blocks,
          guint         n_pages,
          const char   *printed_at,
          const char   *footer)
{
  Flow flow = { cr, context, 0, MARGIN, 1, n_pages, printed_at, footer };

  flow.bottom = PAGE_HEIGHT - MARGIN - footer_height (context, footer);
  flow_blocks (&flow, blocks);
  if (cr != NULL)
    {
      draw_footer (cr, context, footer, flow.page, n_pages, printed_at);
      cairo_show_page (cr);
    }
  return flow.page;
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */

typedef struct {
  GOutputStream *out;
  GError        *error;
} WriteClosure;

static cairo_status_t
write_cb (void                *user_data,
          const unsigned char *data,
          unsigned int         length)
{
  WriteClosure *closure = user_data;

  if (closure->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (closure->out, data, length, NULL, NULL, &closure->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
discard_cb (void                *user_data,
            const unsigned char *data,
            unsigned int         length)
{
  return CAIRO_STATUS_SUCCESS;
}

/* Draws @blocks on as many A4 pages as they need, each with @footer and
 * its number, into @path (created 0600; removed again on failure). The
 * file's metadata (@title) names no one: file managers show it. */
static gboolean
write_blocks (GArray      *blocks,
              const char  *title,
              const char  *footer,
              const char  *path,
              GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *printed_at = g_date_time_format (now, "%d-%m-%Y %H:%M");
  WriteClosure closure = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  guint n_pages;

  /* First the pages are counted ("page 2 of 5"), then drawn. */
  surface = cairo_pdf_surface_create_for_stream (discard_cb, NULL, PAGE_WIDTH, PAGE_HEIGHT);
  cr = cairo_create (surface);
  {
    g_autoptr(GObject) context_object = G_OBJECT (pango_cairo_create_context (cr));

    /* One point of the font is one unit of the page. */
    pango_cairo_context_set_resolution (PANGO_CONTEXT (context_object), 72);
    n_pages = run_flow (NULL, PANGO_CONTEXT (context_object), blocks, 0, printed_at, footer);
  }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  closure.out = G_OUTPUT_STREAM (out);

  surface = cairo_pdf_surface_create_for_stream (write_cb, &closure, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "intake-review");
  cr = cairo_create (surface);
  {
    g_autoptr(GObject) context_object = G_OBJECT (pango_cairo_create_context (cr));

    pango_cairo_context_set_resolution (PANGO_CONTEXT (context_object), 72);
    run_flow (cr, PANGO_CONTEXT (context_object), blocks, n_pages, printed_at, footer);
  }
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (closure.error != NULL || status != CAIRO_STATUS_SUCCESS)
    {
      /* No half-written file with a resident's answers stays behind. */
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      g_file_delete (file, NULL, NULL);
      if (closure.error != NULL)
        g_propagate_error (error, closure.error);
      else
        g_set_error (error, INTAKE_REVIEW_PDF_ERROR, INTAKE_REVIEW_PDF_ERROR_RENDER,
                     _("The PDF could not be made (%s). Try again or choose another place."),
                     cairo_status_to_string (status));
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

gboolean
intake_review_pdf_write (IntakeSubmission          *submission,
                         IntakeQuestionnaire       *questionnaire,
                         const IntakeReviewPdfMeta *meta,
                         const char                *path,
                         GError                   **error)
{
  g_autoptr(IntakeRendering) rendering = NULL;
  g_autoptr(IntakeSummary) summary = NULL;
  g_autoptr(GArray) blocks = NULL;
  IntakeReviewPdfMeta no_meta = { NULL, };

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), FALSE);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (meta == NULL)
    meta = &no_meta;
  rendering = intake_submission_render (submission, questionnaire, "nl", error);
  if (rendering == NULL)
    return FALSE;
  summary = intake_summary_new (submission, questionnaire, "nl", error);
  if (summary == NULL)
    return FALSE;

  blocks = g_array_new (FALSE, TRUE, sizeof (Block));
  g_array_set_clear_func (blocks, block_clear);
  build_header (blocks, submission, rendering, meta);
  build_summary (blocks, summary, rendering);
  build_notes (blocks, meta->notes);
  build_answers (blocks, rendering);
  return write_blocks (blocks, _("Intake conversation"), confidential_text (), path, error);
}

/* ------------------------------------------------------------------ */
/* The subject access document (docs/review.md, "Subject access")        */

gboolean
intake_review_subject_access_pdf_write (IntakeSubjectAccess  *access,
                                        const char           *path,
                                        GError              **error)
{
  GPtrArray *document;
  g_autoptr(GArray) blocks = NULL;

  g_return_val_if_fail (INTAKE_IS_SUBJECT_ACCESS (access), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  document = intake_subject_access_get_document (access);
  blocks = g_array_new (FALSE, TRUE, sizeof (Block));
  g_array_set_clear_func (blocks, block_clear);
  for (guint i = 0; i < document->len; i++)
    {
      const IntakeDocumentBlock *part = g_ptr_array_index (document, i);
      g_autoptr(IntakeSecureString) text = g_string_new (NULL);

      switch (part->kind)
        {
        case INTAKE_DOCUMENT_TITLE:
          add_block (blocks, BLOCK_TITLE, 0, g_markup_escape_text (part->text, -1));
          break;
        case INTAKE_DOCUMENT_HEADING:
          add_block (blocks, BLOCK_HEADING, 18, g_markup_escape_text (part->text, -1));
          break;
        case INTAKE_DOCUMENT_SECTION:
          add_block (blocks, BLOCK_SECTION, 10, g_markup_escape_text (part->text, -1));
          break;
        case INTAKE_DOCUMENT_FIELD:
          add_field (blocks, part->label, part->text);
          break;
        case INTAKE_DOCUMENT_ENTRY:
          /* The question (or a note's author), then the answer in a
           * paragraph of its own, in its own direction. */
          g_string_append (text, "<b>");
          append_escaped (text, part->label);
          g_string_append (text, "</b>\n");
          append_escaped (text, part->text);
          add_block (blocks, BLOCK_TEXT, 4, g_strdup (text->str));
          break;
        case INTAKE_DOCUMENT_TEXT:
          add_block (blocks, BLOCK_TEXT, 6, g_markup_escape_text (part->text, -1));
          break;
        case INTAKE_DOCUMENT_SMALL:
        default:
          add_block (blocks, BLOCK_SMALL, 4, g_markup_printf_escaped ("<i>%s</i>", part->text));
          break;
        }
    }
  /* Translators: the PDF's title in its metadata (names no one) and footer. */
  return write_blocks (blocks, _("Subject access request"),
                       _("Confidential — subject access request"), path, error);
}

/* ------------------------------------------------------------------ */
/* The recovery sheet (docs/review.md, "The workstation key")           */

gboolean
intake_review_recovery_sheet_write (const char  *name,
                                    const char  *server,
                                    const char  *recovery_code,
                                    const char  *path,
                                    GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%d-%m-%Y");
  g_autofree char *markup = NULL;
  g_autoptr(IntakeSecureString) code_markup = NULL;
  WriteClosure closure = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (name != NULL && server != NULL && recovery_code != NULL && path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The code is as secret as the workstation key: built in memory that is
   * wiped, written only where the reviewer chose, mode 0600. */
  code_markup = g_string_new (NULL);
  g_string_append (code_markup, "<span font_family=\"monospace\" size=\"x-large\">");
  for (const char *p = recovery_code; *p != '\0'; p++)
    {
      g_string_append_c (code_markup, *p == '-' ? ' ' : *p);
      /* Four groups a line: easy to read back and to type. */
      if (*p == '-' && (p - recovery_code + 1) % 20 == 0)
        g_string_append_c (code_markup, '\n');
    }
  g_string_append (code_markup, "</span>");
  markup = g_markup_printf_escaped (
    "<span size=\"xx-large\" weight=\"bold\">%s</span>\n\n%s: <b>%s</b>\n%s: %s\n%s: %s\n\n%s\n\n",
    /* Translators: the title of the printed recovery sheet. */
    _("intake-review recovery sheet"),
    _("Reviewer"), name, _("Server"), server, _("Made on"), date,
    _("Recovery code:"));

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  closure.out = G_OUTPUT_STREAM (out);
  surface = cairo_pdf_surface_create_for_stream (write_cb, &closure, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("intake-review recovery sheet"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "intake-review");
  cr = cairo_create (surface);
  {
    g_autoptr(GObject) context_object = G_OBJECT (pango_cairo_create_context (cr));
    PangoContext *context = PANGO_CONTEXT (context_object);
    g_autofree char *instructions = g_markup_escape_text (
      _("Keep this sheet locked away, like a spare key: not with your computer, not with your password. "
        "With this code and your password you can use intake-review on another computer, or on this one "
        "after it was reinstalled: choose “Enter recovery code” on the unlock screen. The code alone opens "
        "nothing. If the sheet is lost or seen by someone else, ask an administrator for an activation code: "
        "that makes you a new key and a new sheet."), -1);
    g_autoptr(PangoLayout) head = NULL;
    g_autoptr(PangoLayout) code = NULL;
    g_autoptr(PangoLayout) text = NULL;
    double y = MARGIN;

    pango_cairo_context_set_resolution (context, 72);
    head = new_layout (context, markup, BLOCK_TEXT);
    text = new_layout (context, instructions, BLOCK_TEXT);
    code = new_layout (context, code_markup->str, BLOCK_HEADING);
    cairo_set_source_rgb (cr, 0, 0, 0);
    cairo_move_to (cr, MARGIN, y);
    pango_cairo_show_layout (cr, head);
    y += layout_height (head);
    cairo_move_to (cr, MARGIN, y);
    pango_cairo_show_layout (cr, code);
    y += layout_height (code) + 24;
    cairo_move_to (cr, MARGIN, y);
    pango_cairo_show_layout (cr, text);
    intake_secure_string_wipe (code_markup);
  }
  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (closure.error != NULL || status != CAIRO_STATUS_SUCCESS)
    {
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      g_file_delete (file, NULL, NULL);
      if (closure.error != NULL)
        g_propagate_error (error, closure.error);
      else
        g_set_error (error, INTAKE_REVIEW_PDF_ERROR, INTAKE_REVIEW_PDF_ERROR_RENDER,
                     _("The PDF could not be made (%s). Try again or choose another place."),
                     cairo_status_to_string (status));
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}
