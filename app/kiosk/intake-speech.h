/* intake-speech.h: read-aloud (speech output in the session's language) over eSpeak NG
 *
 * EN 301 549 asks closed-functionality kiosks for built-in speech output in
 * the chosen language. IntakeSpeech speaks a text with the eSpeak NG voice of
 * a kiosk language code ("nl", "ar", ...) and plays it on the default audio
 * output (PulseAudio/PipeWire, else ALSA) from its own thread, so the UI never
 * waits for it. Without an audio device (CI, Xvfb) speaking ends at once with
 * a debug message. The text is never logged: callers pass only questionnaire
 * and UI texts, never what a resident typed.
 *
 * No GTK here: the window drives it, the tests use intake_speech_synthesize().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define INTAKE_SPEECH_ERROR (intake_speech_error_quark ())

/**
 * IntakeSpeechError:
 * @INTAKE_SPEECH_ERROR_INIT: eSpeak NG could not start, normally because its
 *   data (the espeak-ng-data package) is missing.
 * @INTAKE_SPEECH_ERROR_NO_VOICE: there is no eSpeak NG voice for the language.
 * @INTAKE_SPEECH_ERROR_SYNTHESIS: eSpeak NG failed while synthesizing, or
 *   produced no sound for the text.
 */
typedef enum
{
  INTAKE_SPEECH_ERROR_INIT,
  INTAKE_SPEECH_ERROR_NO_VOICE,
  INTAKE_SPEECH_ERROR_SYNTHESIS,
} IntakeSpeechError;

#define INTAKE_TYPE_SPEECH (intake_speech_get_type ())

G_DECLARE_FINAL_TYPE (IntakeSpeech, intake_speech, INTAKE, SPEECH, GObject)

GQuark        intake_speech_error_quark    (void);

/* Starts eSpeak NG (once per process; it is a process-wide library). */
IntakeSpeech *intake_speech_new            (GError      **error);

/* Whether eSpeak NG has a voice for the kiosk language code @lang
 * ("nl", "en", "ar", "tr", "fa", "uk", "pl"; not "ti": there is no
 * Tigrinya voice). */
gboolean      intake_speech_has_language   (IntakeSpeech *self,
                                            const char   *lang);

/* Stops what is being spoken and starts speaking @text in @lang without
 * blocking. Returns FALSE (and does not speak) when @lang has no voice or
 * @text is empty. "speaking" is TRUE from here until the speech ends, fails
 * (no audio device) or is stopped. Must be called from the main context the
 * object is used in. */
gboolean      intake_speech_speak          (IntakeSpeech *self,
                                            const char   *lang,
                                            const char   *text);
/* Stops speaking at once; "speaking" becomes FALSE. */
void          intake_speech_stop           (IntakeSpeech *self);
gboolean      intake_speech_get_speaking   (IntakeSpeech *self);

/* Synthesizes @text in @lang into signed 16-bit native-endian mono PCM,
 * synchronously, without any audio device. @out_rate gets the sample rate
 * (Hz). */
GBytes       *intake_speech_synthesize     (IntakeSpeech *self,
                                            const char   *lang,
                                            const char   *text,
                                            guint        *out_rate,
                                            GError      **error);

G_END_DECLS
