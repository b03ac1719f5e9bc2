/* intake-speech.h: read-aloud (speech output in the session's language) over eSpeak NG
 *
 * EN 301 549 asks closed-functionality kiosks for built-in speech output in
 * the chosen language. IntakeSpeech plays a script: texts spoken with the
 * eSpeak NG voice of a kiosk language code ("nl", "ar", ...), texts spelled
 * slowly one character at a time (a reference code), and recordings (WAV,
 * checked by the questionnaire loader) where a person recorded the text or
 * there is no voice (Tigrinya). It plays on the default audio output
 * (PulseAudio/PipeWire, else ALSA) from its own thread, so the UI never
 * waits for it. Without an audio device (CI, Xvfb) playing ends at once with
 * a debug message. The text is never logged.
 *
 * No GTK here: the window drives it. The tests use intake_speech_synthesize()
 * and the "to-memory" output, which synthesizes into memory instead of
 * playing and hands every part over with the "spoken" signal.
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

/**
 * IntakeSpeechPartKind:
 * @INTAKE_SPEECH_PART_TEXT: a text, spoken with the language's voice
 * @INTAKE_SPEECH_PART_SPELLED: a text spelled slowly, one character at a
 *   time, twice (a reference code)
 * @INTAKE_SPEECH_PART_RECORDING: a recording, played as it is
 */
typedef enum
{
  INTAKE_SPEECH_PART_TEXT,
  INTAKE_SPEECH_PART_SPELLED,
  INTAKE_SPEECH_PART_RECORDING,
} IntakeSpeechPartKind;

/* What to play, in order. */
typedef struct _IntakeSpeechScript IntakeSpeechScript;

IntakeSpeechScript *intake_speech_script_new           (void);
void                intake_speech_script_free          (IntakeSpeechScript *script);
void                intake_speech_script_add_text      (IntakeSpeechScript *script,
                                                        const char         *lang,
                                                        const char         *text);
void                intake_speech_script_add_spelled   (IntakeSpeechScript *script,
                                                        const char         *lang,
                                                        const char         *text);
/* @wav: a checked recording (intake_audio_check_wav()); @text: what it says
 * (handed to the "spoken" signal only, never logged). */
void                intake_speech_script_add_recording (IntakeSpeechScript *script,
                                                        const char         *lang,
                                                        const char         *text,
                                                        GBytes             *wav);
guint               intake_speech_script_get_n_parts   (IntakeSpeechScript *script);
/* Every part's text, a blank line between them (what a script says; for
 * tests and transcripts, never for the log). NULL when empty. */
char               *intake_speech_script_dup_text      (IntakeSpeechScript *script);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSpeechScript, intake_speech_script_free)

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
/* The same for a whole script (taken over): parts in a language without a
 * voice are left out unless they are recordings. FALSE (and silence) when
 * nothing of it can be played. */
gboolean      intake_speech_play           (IntakeSpeech       *self,
                                            IntakeSpeechScript *script);
/* Stops speaking at once; "speaking" becomes FALSE. */
void          intake_speech_stop           (IntakeSpeech *self);
gboolean      intake_speech_get_speaking   (IntakeSpeech *self);

/* With "to-memory" (for tests) nothing is played: every part is
 * synthesized (or its recording's samples taken) into memory, and when the
 * script has been played the "spoken" signal is emitted for each part in
 * order: (IntakeSpeechPartKind kind, const char *lang, const char *text,
 * GBytes *pcm, guint rate). Not emitted for a stopped script. */
void          intake_speech_set_to_memory  (IntakeSpeech *self,
                                            gboolean      to_memory);
/* To memory, take as long as playing would (tests of what waits for
 * speech); FALSE: as fast as synthesis goes. */
void          intake_speech_set_memory_real_time (IntakeSpeech *self,
                                                  gboolean      real_time);

/* Synthesizes @text in @lang into signed 16-bit native-endian mono PCM,
 * synchronously, without any audio device. @out_rate gets the sample rate
 * (Hz). */
GBytes       *intake_speech_synthesize     (IntakeSpeech *self,
                                            const char   *lang,
                                            const char   *text,
                                            guint        *out_rate,
                                            GError      **error);

G_END_DECLS
