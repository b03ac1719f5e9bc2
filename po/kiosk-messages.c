/* kiosk-messages.c: every resident-facing and staff-facing UI string of the kiosk
 *
 * THIS FILE IS NOT COMPILED. It exists only so that xgettext can extract the
 * strings into po/intake.pot (it is listed in po/POTFILES.in and in no build
 * target). The kiosk code looks these strings up at runtime by their English
 * msgid with intake_catalog_lookup(), so a msgid here must match the kiosk
 * code character for character. To change a text, change it in both places,
 * then update the template and the translations (docs/translations.md).
 *
 * Rules for the English source (see /work/shared/DOMAIN.md): plain language
 * at B1, short active sentences, calm and positive, never blame the resident,
 * and always say what to do next. Numbers are printf "%d"; write texts so that
 * no plural form is needed ("Seconds left: %d", or a number that is always 2
 * or more), because the catalog does not evaluate Plural-Forms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define N_(s) s

static const char *const kiosk_messages[] = {
  /* ---- Start screen: choosing a language ---- */

  /* Translators: Large title on the first screen. Shown in every language at once. */
  N_("Welcome"),
  /* Translators: Heading above the list of languages on the first screen. */
  N_("Choose your language"),
  /* Translators: Instruction under the language list. "Touch" means tapping the touch screen. */
  N_("Touch your language to start"),

  /* ---- Explanation screen ---- */

  /* Translators: Heading of the screen that explains why the office asks these questions. */
  N_("Why we ask these questions"),
  /* Translators: Button that starts the questionnaire. */
  N_("Start"),
  /* Translators: Button that goes to the previous screen or question. */
  N_("Back"),
  /* Translators: Button on every screen. It ends the session and deletes everything the resident typed. */
  N_("Stop and clear my answers"),
  /* Translators: Question in a small dialog after "Stop and clear my answers". Calm, not alarming. */
  N_("Do you want to stop? Your answers will be cleared."),
  /* Translators: Button in the stop dialog: stop and delete the answers. */
  N_("Yes, stop"),
  /* Translators: Button in the stop dialog: keep the answers and go on with the questions. */
  N_("No, go on"),

  /* ---- Question screen ---- */

  /* Translators: Progress text above each question. The first %d is the current question,
     the second %d the number of questions. Keep both, in this order. */
  N_("Question %d of %d"),
  /* Translators: Button that goes to the next question. */
  N_("Next"),
  /* Translators: Button under every question that may be skipped. */
  N_("Skip this question"),
  /* Translators: Answer option on sensitive questions, e.g. about health. Said by the resident. */
  N_("I would rather not say"),
  /* Translators: Button on every screen that opens the help screen. */
  N_("Help"),
  /* Translators: Button on the help screen and in the header. Said by the resident;
     an interpreter translates spoken words between the resident and staff. */
  N_("I would like help or an interpreter"),
  /* Translators: Label of the buttons that change the size of the letters. */
  N_("Text size"),
  /* Translators: Button that makes the letters bigger. */
  N_("Larger text"),
  /* Translators: Button that makes the letters smaller. */
  N_("Smaller text"),
  /* Translators: Switch for a black-and-white display that is easier to read. */
  N_("High contrast"),
  /* Translators: Button that lets the computer read the question aloud (speech). */
  N_("Read aloud"),
  /* Translators: Button that stops the computer reading aloud. */
  N_("Stop reading aloud"),
  /* Translators: Answer to a yes/no question. */
  N_("Yes"),
  /* Translators: Answer to a yes/no question. */
  N_("No"),
  /* Translators: Instruction under a question with exactly one answer. */
  N_("Choose one answer"),
  /* Translators: Instruction under a question where several answers may be chosen. */
  N_("Choose one or more answers"),
  /* Translators: Instruction under a question with a limit. %d is always 2 or more. */
  N_("Choose at most %d answers"),
  /* Translators: Placeholder text inside an empty text field. */
  N_("Type your answer here"),
  /* Translators: Label of the day field of a date (e.g. date of birth). */
  N_("Day"),
  /* Translators: Label of the month field of a date. */
  N_("Month"),
  /* Translators: Label of the year field of a date. */
  N_("Year"),
  /* Translators: Button next to a number answer that lowers the number by one
     (e.g. from 5 to 4); screen readers also read it as the button's name. The same
     word may also label the low end of a scale, e.g. of 0 to 10, so choose a short
     word that fits both uses ("less", "lower", "minus"). */
  N_("Less"),
  /* Translators: Button next to a number answer that raises the number by one
     (e.g. from 4 to 5); screen readers also read it as the button's name. The same
     word may also label the high end of a scale, e.g. of 0 to 10, so choose a short
     word that fits both uses ("more", "higher", "plus"). */
  N_("More"),
  /* Translators: Answer option. Said by the resident: "I do not know this yet." */
  N_("Not sure yet"),

  /* ---- Validation: calm hints under the question, never red walls; always say what to do ---- */

  /* Translators: Shown when "Next" is touched without an answer on a question that may be skipped. */
  N_("Please choose an answer, or skip this question."),
  /* Translators: Shown when "Next" is touched without an answer on a question that is needed. */
  N_("Please choose an answer."),
  /* Translators: Hint for a number question. The first %d is the lowest allowed number,
     the second %d the highest. Keep both, in this order. */
  N_("Please give a number from %d to %d."),
  /* Translators: Hint when a date does not exist, e.g. 31 February. */
  N_("Please check the date."),
  /* Translators: Hint when an e-mail address looks wrong. */
  N_("Please check the e-mail address."),
  /* Translators: Hint when a phone number looks wrong. */
  N_("Please check the phone number."),
  /* Translators: Hint when letters were typed where only digits are allowed. */
  N_("Please use numbers only."),
  /* Translators: Hint when the resident chose an answer that cannot be combined with
     other answers (e.g. "None of these" or "I would rather not say") together with
     other answers. "This answer" is that single answer. Calm; say what to do. */
  N_("Choose either this answer or the others, not both."),
  /* Translators: Hint when typed text contains invisible or special control characters
     (e.g. from pasting). Calm; the resident may retype the answer with ordinary letters
     and numbers. Do not mention "characters" or technical words. */
  N_("Please use letters and numbers only."),
  /* Translators: Hint when too many answers are chosen. %d is always 2 or more. */
  N_("Please choose at most %d answers."),
  /* Translators: Hint when too few answers are chosen. %d is always 2 or more. */
  N_("Please choose at least %d answers."),
  /* Translators: Hint when typed text is longer than allowed. */
  N_("This answer is a bit too long."),
  /* Translators: Shown when the resident tries to skip their name or date of birth.
     "Your file" is the resident's record at the social service. */
  N_("This question is needed to find your file. You may also ask for help at the counter."),

  /* ---- Help screen ---- */

  /* Translators: The counter is the desk in the waiting room where staff help people. */
  N_("Please go to the counter. Someone will help you."),
  /* Translators: On the help screen. An interpreter translates spoken words. */
  N_("You can also ask for an interpreter."),
  /* Translators: Confirmation after "I would like help or an interpreter": staff got a signal. */
  N_("We have told the staff that you would like help."),
  /* Translators: Button on the help screen that returns to the current question. */
  N_("Go back to the questions"),

  /* ---- Review screen ---- */

  /* Translators: Heading of the screen that lists all answers before sending. */
  N_("Check your answers"),
  /* Translators: Text under the heading of the review screen. */
  N_("You can still change every answer."),
  /* Translators: Button next to each answer on the review screen. */
  N_("Change"),
  /* Translators: Shown on the review screen instead of an answer for a skipped question. */
  N_("Not answered"),
  /* Translators: Shown on the review screen when the resident chose "I would rather not say". */
  N_("You chose not to say"),
  /* Translators: Button that sends the answers to the office. */
  N_("Send my answers"),

  /* ---- Sending and thanks ---- */

  /* Translators: Shown while the answers are being saved. Keep the ellipsis character "…". */
  N_("Sending…"),
  /* Translators: Large title on the last screen. */
  N_("Thank you!"),
  /* Translators: On the last screen. The answers are saved and locked (encrypted). */
  N_("Your answers are stored safely."),
  /* Translators: Label above a short code such as "ACEF-HJKM" on the last screen. */
  N_("Your reference code"),
  /* Translators: Under the reference code on the last screen. */
  N_("Show this code at the counter if you have a question."),
  /* Translators: Button on the last screen that ends the session. */
  N_("Done"),
  /* Translators: On the last screen: the kiosk returns to the start screen after a while. */
  N_("This screen will close by itself."),

  /* ---- Idle warning: the only countdown in the kiosk, for privacy ---- */

  /* Translators: Title of the dialog when nobody has touched the screen for a while. */
  N_("Are you still there?"),
  /* Translators: Text in the idle dialog. */
  N_("Touch the button to go on."),
  /* Translators: Text in the idle dialog: explains why the answers will be deleted. */
  N_("For your privacy, your answers will be cleared soon."),
  /* Translators: Countdown in the idle dialog. %d is the number of seconds.
     Written as a label with a number so that no plural form is needed. */
  N_("Seconds left: %d"),
  /* Translators: Button in the idle dialog. Said by the resident. */
  N_("I am still here"),
  /* Translators: Button in the idle dialog and elsewhere: clear everything and go to the start screen. */
  N_("Start over"),

  /* ---- Storage error: never the resident's fault ---- */

  /* Translators: Shown when the kiosk cannot save the answers (e.g. disk problem). */
  N_("Your answers could not be stored on this kiosk."),
  /* Translators: Under the storage error. Reassure; do not blame the resident. */
  N_("This is not your fault. Please go to the counter. Someone will help you."),
  /* Translators: Button under the storage error that goes to the start screen. */
  N_("Back to the start"),

  /* ---- Staff screens (shown in Dutch only; kept here so every string has one home) ---- */

  /* Translators: Staff-only. Title of the staff menu. */
  N_("Staff"),
  /* Translators: Staff-only. Prompt for the staff PIN code. */
  N_("Enter the staff PIN"),
  /* Translators: Staff-only. Shown when the PIN is wrong. */
  N_("Wrong PIN"),
  /* Translators: Staff-only. Shown on the PIN screen when no staff PIN has been set up yet.
     "intake-kiosk --set-pin" is a command that staff type on the computer: do not
     translate or change it. */
  N_("No staff PIN set: run intake-kiosk --set-pin"),
  /* Translators: Staff-only. Button that opens an item. */
  N_("Open"),
  /* Translators: Staff-only. Button that closes a screen. */
  N_("Close"),
  /* Translators: Staff-only. Cancel button of a dialog. */
  N_("Cancel"),
  /* Translators: Staff-only. The kiosk's store of submissions that wait to be sent to the
     office; shown as a label when it cannot be read. */
  N_("Outbox"),
  /* Translators: Staff-only. State of a submission in the outbox. */
  N_("Waiting to be sent"),
  /* Translators: Staff-only. State of a submission in the outbox. */
  N_("Sent"),
  /* Translators: Staff-only. Title of the section about sending the sealed submissions
     from this kiosk to the office server over the network. */
  N_("Sending"),
  /* Translators: Staff-only. Button in the "Sending" section: send the waiting submissions
     to the office server now instead of waiting for the next automatic try. */
  N_("Send now"),
  /* Translators: Staff-only. Explanation under the title of the "Sending" section. The
     fingerprint is a row of letters and digits that identifies the office's key; the office
     wrote it down when it made the key. */
  N_("Compare the office key fingerprint with the one the office wrote down when it made the key. If they differ, do not use this kiosk and call the office."),
  /* Translators: Staff-only. Label: whether this kiosk is registered (enrolled) with the
     office server, so that it may send submissions there. Value: "Enrolled" or "Not enrolled". */
  N_("Connection with the office"),
  /* Translators: Staff-only. Value of "Connection with the office": this kiosk is registered
     with the office server. */
  N_("Enrolled"),
  /* Translators: Staff-only. Value of "Connection with the office": this kiosk is not
     registered with the office server yet, so it sends nothing. */
  N_("Not enrolled"),
  /* Translators: Staff-only. Label of the internet address (URL) of the office server. */
  N_("Server address"),
  /* Translators: Staff-only. Label of the place name the office gave this kiosk when it
     registered it, e.g. a town. */
  N_("Location known to the office"),
  /* Translators: Staff-only. Label of one sentence that says what the sending is doing now,
     e.g. "All submissions have been delivered to the office." */
  N_("Current status"),
  /* Translators: Staff-only. Label of one sentence about the last thing that went wrong
     while sending, e.g. that the server could not be reached. */
  N_("Last problem"),
  /* Translators: Staff-only. Label of the date and time the kiosk last reached the office
     server without a problem. */
  N_("Last successful contact"),
  /* Translators: Staff-only. Value of "Last successful contact" when the kiosk has not
     reached the office server yet. */
  N_("Never"),
  /* Translators: Staff-only. Title of the section about the office's key: the key that
     every set of answers is locked (sealed) with, so that only the office can open it. */
  N_("Office key"),
  /* Translators: Staff-only. Label of the fingerprint of the office key: a row of letters and
     digits that staff compare with the one the office wrote down. */
  N_("Office key fingerprint"),
  /* Translators: Staff-only. Shown after pressing "Send now" while the kiosk sends.
     Keep the ellipsis character "…". */
  N_("Sending to the office…"),
  /* Translators: Staff-only. Result of "Send now": nothing is waiting any more. */
  N_("Everything has been sent."),
  /* Translators: Staff-only. Result of "Send now": the kiosk reached the server, but some
     submissions still wait (the server refused them for now). %d is how many; it may be 1,
     so use a label form that needs no plural. */
  N_("Finished. Still waiting: %d"),
  /* Translators: Staff-only. Result of "Send now" when the kiosk was already sending. */
  N_("Already sending. Please wait a moment."),
  /* Translators: Staff-only. Result of "Send now" when sending failed. "Current status" is
     the label of the row above that says why; use the same words as for that label. */
  N_("Not sent. The current status above says why."),
  /* Translators: Staff-only. List of residents who asked for help or an interpreter. */
  N_("Help requests"),
  /* Translators: Staff-only. Button above the list of help requests: marks all open
     help requests as handled (staff have helped these residents). */
  N_("Mark as handled"),
  /* Translators: Staff-only. Shown in the list of help requests when it is empty. */
  N_("No open help requests"),
  /* Translators: Staff-only. Section about this kiosk computer. */
  N_("Device"),
  /* Translators: Staff-only. Label of the unique code (identifier) of this kiosk computer. */
  N_("Device id"),
  /* Translators: Staff-only. Label of the place where this kiosk stands, e.g. the name of
     the office or waiting room. */
  N_("Location"),
  /* Translators: Staff-only. Section about the installed questionnaire. */
  N_("Questionnaire"),
  /* Translators: Staff-only. Label of the version number of the installed questionnaire. */
  N_("Version"),
  /* Translators: Staff-only. Label of a technical check code (a cryptographic hash, shown
     as letters and digits) that identifies the exact questionnaire file. "Check code" or
     your language's usual IT word for "hash" is fine. */
  N_("Hash"),
  /* Translators: Staff-only. Column showing whether a translation was checked by a person. */
  N_("Translation status"),
  /* Translators: Staff-only. Translation status: a human translator approved it. */
  N_("reviewed"),
  /* Translators: Staff-only. Translation status: machine translation, not yet approved. */
  N_("draft"),
  /* Translators: Staff-only. Button that closes the kiosk program. */
  N_("Exit the kiosk"),

  /* ---- Accessible names read by screen readers ---- */

  /* Translators: Accessible name of the progress bar. */
  N_("Progress"),
  /* Translators: Accessible name of an answer field. */
  N_("Answer"),
  /* Translators: Accessible name of the reference code on the last screen. */
  N_("Reference code"),
  /* Translators: Accessible name of the language list. */
  N_("Language"),
};
