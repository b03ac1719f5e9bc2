/* intake-review-pdf.c: a printable one-page PDF of a submission for the intake conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page is what the caseworker takes into the conversation: the summary
 * first (an aid, never a decision: its fixed heading says so, and every line
 * names the questions it comes from), then the answers in Dutch. It is always
 * exactly one A4 page: the font shrinks in steps and what still does not fit
 * is left out with a line that says so. Pango lays out right-to-left free
 * text in its own direction, per paragraph.
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
#define PAGE_WIDTH   595.276
#define PAGE_HEIGHT  841.890
#define MARGIN        42.0
#define FOOTER_SIZE    7.5
/* Noto Sans Arabic for Arabic and Farsi free text; fontconfig falls back for the rest. */
#define FONT_FAMILY  "Noto Sans, Noto Sans Arabic"

static const double font_sizes[] = { 10, 9, 8, 7 };

typedef enum {
  BLOCK_TITLE,
  BLOCK_HEADING,
  BLOCK_SECTION,
  BLOCK_TEXT,
} BlockKind;

typedef enum {
  PART_HEADER,     /* never left out */
  PART_SUMMARY,
  PART_ANSWERS,
} BlockPart;

typedef struct {
  BlockKind  kind;
  BlockPart  part;
  gboolean   counts;        /* a summary line or a question: counted when left out */
  double     space_before;  /* at 10 pt; scaled with the font */
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
           BlockPart   part,
           gboolean    counts,
           double      space_before,
           char       *markup /* transfer full */)
{
  Block block = { kind, part, counts, space_before, markup };

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
append_field (GString    *out,
              const char *name,
              const char *value)
{
  g_autofree char *escaped_name = g_markup_escape_text (name, -1);

  if (out->len > 0)
    g_string_append (out, "   ");
  g_string_append_printf (out, "<b>%s:</b> ", escaped_name);
  append_escaped (out, value);
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
              const IntakeRendering     *rendering,
              const IntakeReviewPdfMeta *meta)
{
  g_autoptr(IntakeSecureString) line = g_string_new (NULL);
  g_autofree char *language = NULL;

  add_block (blocks, BLOCK_TITLE, PART_HEADER, FALSE, 0,
             /* Translators: the PDF's title, with the submission's reference code. */
             g_markup_printf_escaped (_("Intake conversation — %s"),
                                      meta->reference != NULL && *meta->reference ? meta->reference : "—"));

  g_string_truncate (line, 0);
  append_field (line, _("Reference"), meta->reference);
  append_field (line, _("Received"), meta->received);
  append_field (line, _("Location"), meta->location);
  add_block (blocks, BLOCK_TEXT, PART_HEADER, FALSE, 4, g_strdup (line->str));

  g_string_truncate (line, 0);
  language = rendering->language_autonym != NULL
             ? g_strdup_printf ("%s (%s)", rendering->language_name, rendering->language_autonym)
             : g_strdup (rendering->language_name ? rendering->language_name : rendering->language);
  append_field (line, _("Resident’s language"), language);
  if (rendering->finished_at != NULL)
    append_field (line, _("Filled in"), rendering->finished_at);
  add_block (blocks, BLOCK_TEXT, PART_HEADER, FALSE, 0, g_strdup (line->str));

  g_string_truncate (line, 0);
  append_field (line, _("State"), meta->state);
  append_field (line, _("Unit"), meta->unit);
  if (rendering->questionnaire_title != NULL)
    {
      /* Translators: the questionnaire's title (its own text) and version. */
      g_autofree char *questionnaire = g_strdup_printf (_("%s, version %u"), rendering->questionnaire_title,
                                                        rendering->questionnaire_version);

      append_field (line, _("Questionnaire"), questionnaire);
    }
  add_block (blocks, BLOCK_TEXT, PART_HEADER, FALSE, 0, g_strdup (line->str));
  if (rendering->language_draft)
    add_block (blocks, BLOCK_TEXT, PART_HEADER, FALSE, 0,
               /* Translators: Pango markup; keep the <b> tags. */
               g_strdup (_("<b>Note:</b> the resident read a draft translation of the questions.")));
}

static void
build_summary (GArray                *blocks,
               IntakeSummary         *summary,
               const IntakeRendering *rendering)
{
  const char *previous_title = NULL;

  add_block (blocks, BLOCK_HEADING, PART_SUMMARY, FALSE, 10,
             g_markup_escape_text (intake_summary_get_heading (summary), -1));
  if (intake_summary_get_n_lines (summary) == 0)
    add_block (blocks, BLOCK_TEXT, PART_SUMMARY, FALSE, 2, g_markup_escape_text (_("No answers to summarise here."), -1));
  for (guint i = 0; i < intake_summary_get_n_lines (summary); i++)
    {
      const IntakeSummaryLine *line = intake_summary_get_line (summary, i);
      const char *title = intake_summary_topic_title (line->topic);
      g_autoptr(IntakeSecureString) text = g_string_new (NULL);

      if (title != NULL && g_strcmp0 (title, previous_title) != 0)
        add_block (blocks, BLOCK_SECTION, PART_SUMMARY, FALSE, 4, g_markup_escape_text (title, -1));
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
      if (line->sources != NULL && line->sources[0] != NULL)
        {
          g_autofree char *from = g_markup_escape_text (_("from: "), -1);

          g_string_append_printf (text, "\n<span size=\"smaller\" foreground=\"#555555\">%s", from);
          for (guint j = 0; line->sources[j] != NULL; j++)
            {
              g_autofree char *question = g_markup_printf_escaped (_("question “%s”"),
                                                                   question_text_of (rendering, line->sources[j]));

              if (j > 0)
                g_string_append (text, ", ");
              g_string_append (text, question);
            }
          g_string_append (text, "</span>");
        }
      add_block (blocks, BLOCK_TEXT, PART_SUMMARY, TRUE, 1, g_strdup (text->str));
    }
}

static void
build_answers (GArray                *blocks,
               const IntakeRendering *rendering)
{
  const char *section = NULL;

  add_block (blocks, BLOCK_HEADING, PART_ANSWERS, FALSE, 10, g_markup_escape_text (_("Answers"), -1));
  for (guint i = 0; i < rendering->n_rows; i++)
    {
      const IntakeRenderedRow *row = &rendering->rows[i];
      g_autoptr(IntakeSecureString) text = g_string_new (NULL);

      if (row->section_title != NULL && g_strcmp0 (row->section_title, section) != 0)
        add_block (blocks, BLOCK_SECTION, PART_ANSWERS, FALSE, 4, g_markup_escape_text (row->section_title, -1));
      section = row->section_title;

      g_string_append (text, "<b>");
      append_escaped (text, row->question_text);
      g_string_append (text, "</b>");
      if (row->text_language_name != NULL)
        {
          /* Free text in a paragraph of its own, so that Pango gives it its
           * own direction (right to left for Arabic or Farsi). */
          g_string_append (text, "\n");
          append_escaped (text, row->answer_text);
          g_autofree char *written = g_markup_printf_escaped (_("Written in %s; not translated"),
                                                              row->text_language_name);

          g_string_append_printf (text, "\n<span size=\"smaller\" foreground=\"#555555\"><i>%s</i></span>", written);
        }
      else
        {
          g_string_append (text, "  ");
          if (row->state != INTAKE_ROW_ANSWERED)
            g_string_append (text, "<span foreground=\"#666666\"><i>");
          append_escaped (text, row->answer_text);
          if (row->state != INTAKE_ROW_ANSWERED)
            g_string_append (text, "</i></span>");
        }
      add_block (blocks, BLOCK_TEXT, PART_ANSWERS, TRUE, 1, g_strdup (text->str));
    }
}

/* ------------------------------------------------------------------ */
/* Layout                                                               */

#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN)
#define COLUMN_GAP    14.0
#define COLUMN_WIDTH  ((CONTENT_WIDTH - COLUMN_GAP) / 2)

static PangoLayout *
new_layout (PangoContext *context,
            const char   *markup,
            BlockKind     kind,
            double        size,
            double        width)
{
  PangoLayout *layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);

  switch (kind)
    {
    case BLOCK_TITLE:
      size += 4;
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      break;
    case BLOCK_HEADING:
      size += 1.5;
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      break;
    case BLOCK_SECTION:
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      break;
    case BLOCK_TEXT:
    default:
      break;
    }
  pango_font_description_set_size (font, (int)(size * PANGO_SCALE));
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int)(width * PANGO_SCALE));
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

/* The answers (after their heading) flow in two columns. */
static gboolean
in_columns (const Block *block)
{
  return block->part == PART_ANSWERS && block->kind != BLOCK_HEADING;
}

static double
block_width (const Block *block)
{
  return in_columns (block) ? COLUMN_WIDTH : CONTENT_WIDTH;
}

static double
text_height (PangoContext *context,
             const char   *markup,
             BlockKind     kind,
             double        size,
             double        width)
{
  g_autoptr(PangoLayout) layout = new_layout (context, markup, kind, size, width);

  return layout_height (layout);
}

/* What is left out: "… (12 questions more: see the app)". */
static char *
ellipsis_markup (GArray *blocks,
                 guint   shown)
{
  guint lines = 0, questions = 0;

  for (guint i = shown; i < blocks->len; i++)
    {
      const Block *block = &g_array_index (blocks, Block, i);

      if (block->counts && block->part == PART_SUMMARY)
        lines++;
      else if (block->counts)
        questions++;
    }
  g_autofree char *questions_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u question", "%u questions",
                                                                  questions),
                                                     questions);
  g_autofree char *lines_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line of the summary",
                                                              "%u lines of the summary", lines),
                                                 lines);
  g_autofree char *text = NULL;

  if (lines > 0)
    /* Translators: what did not fit on the page: "… (2 lines of the summary
     * and 12 questions more: see the app)". */
    text = g_strdup_printf (_("… (%s and %s more: see the app)"), lines_text, questions_text);
  else
    /* Translators: what did not fit on the page: "… (12 questions more: see the app)". */
    text = g_strdup_printf (_("… (%s more: see the app)"), questions_text);
  return g_markup_printf_escaped ("<i>%s</i>", text);
}

typedef struct {
  double x, y;     /* relative to the top left of the content area */
} Place;

typedef struct {
  double  size;
  guint   shown;           /* blocks placed */
  char   *ellipsis;        /* NULL: everything is shown */
  Place   ellipsis_place;
  double  ellipsis_width;
} Plan;

/* Places the blocks at @size in @available height. Returns FALSE when not
 * everything fits and @truncate is FALSE; with @truncate, leaves out what
 * does not fit and says so in an ellipsis line. */
static gboolean
place_blocks (PangoContext *context,
              GArray       *blocks,
              double        size,
              double        available,
              gboolean      truncate,
              Place        *places,
              Plan         *plan)
{
  double scale = size / 10, y = 0, column_top = 0, column_y = 0;
  guint i, first_column = blocks->len;
  int column = 0;

  plan->size = size;
  g_clear_pointer (&plan->ellipsis, g_free);

  /* Full width: the header, the summary, the heading of the answers. */
  for (i = 0; i < blocks->len && !in_columns (&g_array_index (blocks, Block, i)); i++)
    {
      const Block *block = &g_array_index (blocks, Block, i);
      double space = block->space_before * scale;
      double height = text_height (context, block->markup, block->kind, size, CONTENT_WIDTH);

      if (y + space + height > available)
        break;
      places[i].x = 0;
      places[i].y = y + space;
      y += space + height;
    }
  if (i < blocks->len && !in_columns (&g_array_index (blocks, Block, i)))
    {
      /* Even the summary does not fit: leave out its end, no columns. */
      if (!truncate)
        return FALSE;
      for (;;)
        {
          g_autofree char *ellipsis = NULL;
          double height;

          while (i > 0 && g_array_index (blocks, Block, i - 1).part != PART_HEADER &&
                 g_array_index (blocks, Block, i - 1).kind != BLOCK_TEXT)
            i--;
          ellipsis = ellipsis_markup (blocks, i);
          y = i > 0 ? places[i - 1].y + text_height (context, g_array_index (blocks, Block, i - 1).markup,
                                                      g_array_index (blocks, Block, i - 1).kind, size, CONTENT_WIDTH)
                    : 0;
          height = text_height (context, ellipsis, BLOCK_TEXT, size, CONTENT_WIDTH);
          if (y + 2 + height <= available || i == 0 || g_array_index (blocks, Block, i - 1).part == PART_HEADER)
            {
              plan->shown = i;
              plan->ellipsis = g_steal_pointer (&ellipsis);
              plan->ellipsis_place = (Place) { 0, y + 2 };
              plan->ellipsis_width = CONTENT_WIDTH;
              return TRUE;
            }
          i--;
        }
    }

  /* The answers, left column first. */
  first_column = i;
  column_top = column_y = y + 2 * scale;
  for (; i < blocks->len; i++)
    {
      const Block *block = &g_array_index (blocks, Block, i);
      double space = column_y > column_top ? block->space_before * scale : 0;
      double height = text_height (context, block->markup, block->kind, size, COLUMN_WIDTH);
      double need = space + height;

      /* A section title stays with its first question. */
      if (block->kind == BLOCK_SECTION && i + 1 < blocks->len)
        {
          const Block *next = &g_array_index (blocks, Block, i + 1);

          need += next->space_before * scale + text_height (context, next->markup, next->kind, size, COLUMN_WIDTH);
        }
      if (column_y + need > available && column == 0)
        {
          column = 1;
          column_y = column_top;
          space = 0;
          need -= block->space_before * scale;
        }
      if (column_y + need > available)
        break;
      places[i].x = column * (COLUMN_WIDTH + COLUMN_GAP);
      places[i].y = column_y + space;
      column_y += space + height;
    }
  if (i == blocks->len)
    {
      plan->shown = i;
      return TRUE;
    }
  if (!truncate)
    return FALSE;

  /* Room for the ellipsis at the end of the right column. */
  for (;;)
    {
      g_autofree char *ellipsis = NULL;
      double height, bottom = column_top;
      double x = COLUMN_WIDTH + COLUMN_GAP;

      while (i > first_column && g_array_index (blocks, Block, i - 1).kind != BLOCK_TEXT)
        i--;
      if (i > first_column)
        {
          const Block *last = &g_array_index (blocks, Block, i - 1);

          bottom = places[i - 1].y + text_height (context, last->markup, last->kind, size, COLUMN_WIDTH);
          x = places[i - 1].x;
        }
      ellipsis = ellipsis_markup (blocks, i);
      height = text_height (context, ellipsis, BLOCK_TEXT, size, COLUMN_WIDTH);
      if (bottom + 2 + height <= available || i == first_column)
        {
          plan->shown = i;
          plan->ellipsis = g_steal_pointer (&ellipsis);
          plan->ellipsis_place = (Place) { x, bottom + 2 };
          plan->ellipsis_width = COLUMN_WIDTH;
          return TRUE;
        }
      i--;
    }
}

static const char *
confidential_text (void)
{
  /* Translators: the footer of the PDF. */
  return _("Confidential — only for the intake conversation");
}

static void
draw_footer (cairo_t      *cr,
             PangoContext *context)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%d-%m-%Y %H:%M");
  /* Translators: the footer of the PDF: when it was printed, "dd-mm-yyyy hh:mm". */
  g_autofree char *printed = g_markup_printf_escaped (_("Printed on %s"), date);
  g_autofree char *confidential = g_markup_printf_escaped ("<b>%s</b>", confidential_text ());
  g_autoptr(PangoLayout) left = new_layout (context, confidential, BLOCK_TEXT, FOOTER_SIZE, CONTENT_WIDTH);
  g_autoptr(PangoLayout) right = new_layout (context, printed, BLOCK_TEXT, FOOTER_SIZE, CONTENT_WIDTH);
  double y = PAGE_HEIGHT - MARGIN - layout_height (left);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, MARGIN, y - 4);
  cairo_line_to (cr, PAGE_WIDTH - MARGIN, y - 4);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_move_to (cr, MARGIN, y);
  pango_cairo_show_layout (cr, left);
  pango_layout_set_alignment (right, PANGO_ALIGN_RIGHT);
  cairo_move_to (cr, MARGIN, y);
  pango_cairo_show_layout (cr, right);
  cairo_restore (cr);
}

static double
footer_height (PangoContext *context)
{
  g_autofree char *confidential = g_markup_escape_text (confidential_text (), -1);
  g_autoptr(PangoLayout) layout = new_layout (context, confidential, BLOCK_TEXT, FOOTER_SIZE, CONTENT_WIDTH);

  return layout_height (layout) + 12;
}

static void
draw_page (cairo_t *cr,
           GArray  *blocks)
{
  g_autoptr(GObject) context_object = G_OBJECT (pango_cairo_create_context (cr));
  PangoContext *context = PANGO_CONTEXT (context_object);
  g_autofree Place *places = g_new0 (Place, blocks->len);
  Plan plan = { 0, };
  double available;

  /* One point of the font is one unit of the page. */
  pango_cairo_context_set_resolution (context, 72);
  available = PAGE_HEIGHT - 2 * MARGIN - footer_height (context);
  for (guint s = 0; s < G_N_ELEMENTS (font_sizes); s++)
    if (place_blocks (context, blocks, font_sizes[s], available, s + 1 == G_N_ELEMENTS (font_sizes), places, &plan))
      break;

  cairo_save (cr);
  /* Nothing ever runs into the footer or onto a second page. */
  cairo_rectangle (cr, 0, 0, PAGE_WIDTH, MARGIN + available);
  cairo_clip (cr);
  cairo_translate (cr, MARGIN, MARGIN);
  for (guint i = 0; i < plan.shown; i++)
    {
      const Block *block = &g_array_index (blocks, Block, i);
      g_autoptr(PangoLayout) layout = new_layout (context, block->markup, block->kind, plan.size, block_width (block));

      if (block->kind == BLOCK_HEADING)
        {
          cairo_set_source_rgb (cr, 0.93, 0.93, 0.93);
          cairo_rectangle (cr, places[i].x - 3, places[i].y - 1, CONTENT_WIDTH + 6, layout_height (layout) + 2);
          cairo_fill (cr);
        }
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_move_to (cr, places[i].x, places[i].y);
      pango_cairo_show_layout (cr, layout);
    }
  if (plan.ellipsis != NULL)
    {
      g_autoptr(PangoLayout) layout = new_layout (context, plan.ellipsis, BLOCK_TEXT, plan.size, plan.ellipsis_width);

      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_move_to (cr, plan.ellipsis_place.x, plan.ellipsis_place.y);
      pango_cairo_show_layout (cr, layout);
    }
  cairo_restore (cr);
  g_free (plan.ellipsis);
  draw_footer (cr, context);
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
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  WriteClosure closure = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
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
  build_header (blocks, rendering, meta);
  build_summary (blocks, summary, rendering);
  build_answers (blocks, rendering);

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  closure.out = G_OUTPUT_STREAM (out);

  surface = cairo_pdf_surface_create_for_stream (write_cb, &closure, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Intake conversation"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "intake-review");
  cr = cairo_create (surface);
  draw_page (cr, blocks);
  cairo_show_page (cr);
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
    g_autoptr(PangoLayout) head = new_layout (context, markup, BLOCK_TEXT, 11, CONTENT_WIDTH);
    g_autoptr(PangoLayout) code = NULL;
    g_autoptr(PangoLayout) text = new_layout (context, instructions, BLOCK_TEXT, 10, CONTENT_WIDTH);
    double y = MARGIN;

    pango_cairo_context_set_resolution (context, 72);
    code = new_layout (context, code_markup->str, BLOCK_TEXT, 14, CONTENT_WIDTH);
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
