/* intake-kiosk-receipt.c: the reference code on paper, for the resident to keep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page of receipt paper (80 mm wide, as thermal receipt printers take
 * it): the caption, the code in large letters, its QR code, the hint and
 * the date, laid out with Pango in the kiosk's fonts (the Arabic, Persian
 * and Ethiopic texts come out as on the screen).
 */
#include "config.h"

#include <math.h>

#include "intake-kiosk-qr.h"
#include "intake-kiosk-receipt.h"
#include "intake-secure.h"

#define PAPER_WIDTH_MM  80.0
#define PAPER_HEIGHT_MM 130.0
#define MARGIN_MM       5.0

typedef struct {
  char          *language;
  char          *caption;
  char          *reference;
  char          *hint;
  char          *when;
  IntakeKioskQr *qr;
  gboolean       finished;
  GtkPrintOperation *operation;  /* while it runs on the main loop */
} PrintData;

static void
print_data_free (PrintData *data)
{
  g_free (data->language);
  g_free (data->caption);
  g_clear_pointer (&data->reference, intake_secure_strfree);
  g_free (data->hint);
  g_free (data->when);
  g_clear_object (&data->qr);
  g_clear_object (&data->operation);
  g_free (data);
}

/* Draws @text centred at @y (mm) in @font; returns the y below it. */
static double
draw_text (GtkPrintContext *context,
           PrintData       *data,
           const char      *text,
           const char      *font,
           double           y)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (font);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  double width = gtk_print_context_get_width (context);
  int text_width, text_height;

  pango_attr_list_insert (attrs, pango_attr_language_new (pango_language_from_string (data->language)));
  pango_layout_set_attributes (layout, attrs);
  pango_layout_set_font_description (layout, description);
  pango_layout_set_width (layout, pango_units_from_double (width));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &text_width, &text_height);
  cairo_move_to (cr, 0, y);
  pango_cairo_show_layout (cr, layout);
  return y + pango_units_to_double (text_height);
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              PrintData         *data)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double y = 0;
  double qr_size = MIN (width * 0.6, 40.0);

  cairo_set_source_rgb (cr, 0, 0, 0);
  y = draw_text (context, data, data->caption, "Noto Sans Bold 11", y) + 2;
  /* The code as the screen shows it: spaced letters in a monospace face. */
  y = draw_text (context, data, data->reference, "Noto Sans Mono Bold 20", y) + 3;
  intake_kiosk_qr_draw (data->qr, cr, (width - qr_size) / 2, y, qr_size);
  cairo_set_source_rgb (cr, 0, 0, 0);
  y += qr_size + 3;
  y = draw_text (context, data, data->hint, "Noto Sans 10", y) + 2;
  draw_text (context, data, data->when, "Noto Sans 9", y);
}

static void
finish (GTask             *task,
        GtkPrintOperation *operation,
        GtkPrintOperationResult result)
{
  PrintData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (data->finished)
    return;
  data->finished = TRUE;
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the receipt was not printed: %s",
                               error != NULL ? error->message : "the printer refused it");
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the receipt was not printed");
  else
    g_task_return_boolean (task, TRUE);
}

static void
done_cb (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         GTask                   *task)
{
  PrintData *data = g_task_get_task_data (task);

  finish (task, operation, result);
  /* The handler holds the task, the task the operation: let both go. */
  g_clear_object (&data->operation);
  g_signal_handlers_disconnect_by_func (operation, done_cb, task);
}

void
intake_kiosk_receipt_print_async (const IntakeKioskReceipt *receipt,
                                  GtkWindow                *parent,
                                  const char               *printer,
                                  const char               *export_pdf,
                                  GCancellable             *cancellable,
                                  GAsyncReadyCallback       callback,
                                  gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPrintSettings) settings = NULL;
  g_autoptr(GtkPageSetup) page = NULL;
  g_autoptr(GtkPaperSize) paper = NULL;
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult result;
  PrintData *data;

  g_return_if_fail (receipt != NULL && receipt->reference != NULL);
  g_return_if_fail (printer != NULL || export_pdf != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_kiosk_receipt_print_async);
  data = g_new0 (PrintData, 1);
  data->language = g_strdup (receipt->language != NULL ? receipt->language : "nl");
  data->caption = g_strdup (receipt->caption != NULL ? receipt->caption : "");
  data->reference = g_strdup (receipt->reference);
  data->hint = g_strdup (receipt->hint != NULL ? receipt->hint : "");
  data->when = g_strdup (receipt->when != NULL ? receipt->when : "");
  g_task_set_task_data (task, data, (GDestroyNotify)print_data_free);
  if (!(data->qr = intake_kiosk_qr_new (receipt->reference, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  operation = gtk_print_operation_new ();
  paper = gtk_paper_size_new_custom ("intake-receipt", "Receipt 80 mm", PAPER_WIDTH_MM, PAPER_HEIGHT_MM,
                                     GTK_UNIT_MM);
  page = gtk_page_setup_new ();
  gtk_page_setup_set_paper_size (page, paper);
  gtk_page_setup_set_top_margin (page, MARGIN_MM, GTK_UNIT_MM);
  gtk_page_setup_set_bottom_margin (page, MARGIN_MM, GTK_UNIT_MM);
  gtk_page_setup_set_left_margin (page, MARGIN_MM, GTK_UNIT_MM);
  gtk_page_setup_set_right_margin (page, MARGIN_MM, GTK_UNIT_MM);
  gtk_print_operation_set_default_page_setup (operation, page);
  gtk_print_operation_set_unit (operation, GTK_UNIT_MM);
  gtk_print_operation_set_n_pages (operation, 1);
  /* A kiosk has nobody to answer a dialog. */
  gtk_print_operation_set_show_progress (operation, FALSE);
  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_job_name (operation, "intake-receipt");
  settings = gtk_print_settings_new ();
  if (printer != NULL)
    gtk_print_settings_set_printer (settings, printer);
  gtk_print_operation_set_print_settings (operation, settings);
  if (export_pdf != NULL)
    gtk_print_operation_set_export_filename (operation, export_pdf);

  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), data);
  g_signal_connect_data (operation, "done", G_CALLBACK (done_cb), g_object_ref (task),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  data->operation = g_object_ref (operation);
  result = gtk_print_operation_run (operation,
                                    export_pdf != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                       : GTK_PRINT_OPERATION_ACTION_PRINT,
                                    parent, &error);
  /* In progress: it finishes on the main loop and emits "done". */
  if (result == GTK_PRINT_OPERATION_RESULT_IN_PROGRESS)
    return;
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR && error != NULL && !data->finished)
    {
      data->finished = TRUE;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the receipt was not printed: %s",
                               error->message);
    }
  else
    finish (task, operation, result);
  g_clear_object (&data->operation);
  g_signal_handlers_disconnect_by_func (operation, done_cb, task);
}

gboolean
intake_kiosk_receipt_print_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
