/* intake-kiosk-keyboard.h: an on-screen keyboard inside the kiosk, for touch-only machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * IntakeKeyboardLayout:
 * @INTAKE_KEYBOARD_NONE: no keys (the widget hides itself)
 * @INTAKE_KEYBOARD_DIGITS: 0-9 and delete (dates, numbers, client numbers)
 * @INTAKE_KEYBOARD_PHONE: digits, "+", space and delete
 * @INTAKE_KEYBOARD_LETTERS: the Latin letters A-Z as ID documents write
 *   names, the accented letters of Dutch, Turkish and Polish names, space,
 *   hyphen, apostrophe and delete; each word starts with a capital
 * @INTAKE_KEYBOARD_EMAIL: lower-case letters, digits, "@", ".", "-", "_"
 */
typedef enum {
  INTAKE_KEYBOARD_NONE,
  INTAKE_KEYBOARD_DIGITS,
  INTAKE_KEYBOARD_PHONE,
  INTAKE_KEYBOARD_LETTERS,
  INTAKE_KEYBOARD_EMAIL,
} IntakeKeyboardLayout;

#define INTAKE_TYPE_KIOSK_KEYBOARD (intake_kiosk_keyboard_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskKeyboard, intake_kiosk_keyboard, INTAKE, KIOSK_KEYBOARD, GtkWidget)

/* The keys are buttons (an AT-SPI "click" each, a touch target of at least
 * 56 px) that never take the focus: they type into the target field, at
 * its cursor, through GtkEditable, so that the field's own filters (digits
 * only, maximum length) apply. Each key is the action osk.type (s): the
 * text, or "\b" to delete the character before the cursor. Keys are laid
 * out left to right whatever the text direction: they are Latin.
 *
 * Signal "typed" (GtkEditable *target): after a key typed into the field. */
GtkWidget            *intake_kiosk_keyboard_new        (void);
void                  intake_kiosk_keyboard_set_layout (IntakeKioskKeyboard  *self,
                                                        IntakeKeyboardLayout  layout);
IntakeKeyboardLayout  intake_kiosk_keyboard_get_layout (IntakeKioskKeyboard  *self);
/* The field the keys type into (weak; NULL: none). */
void                  intake_kiosk_keyboard_set_target (IntakeKioskKeyboard  *self,
                                                        GtkEditable          *target);
GtkEditable          *intake_kiosk_keyboard_get_target (IntakeKioskKeyboard  *self);
/* The accessible name of the delete and space keys, in the session's language. */
void                  intake_kiosk_keyboard_set_words  (IntakeKioskKeyboard  *self,
                                                        const char           *delete_word,
                                                        const char           *space_word);
/* The key that types @text ("\b": delete), or NULL (tests). */
GtkWidget            *intake_kiosk_keyboard_get_key    (IntakeKioskKeyboard  *self,
                                                        const char           *text);

G_END_DECLS
