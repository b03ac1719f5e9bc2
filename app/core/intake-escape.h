/* intake-escape.h: text from outside shown without letting it act as layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A copy of @text (NUL-terminated, any bytes) safe to print in one field of
 * a tab-separated line or to show in a label: a backslash becomes "\\",
 * TAB "\t", LF "\n", CR "\r"; other control characters (C0, DEL, C1), the
 * line and paragraph separators (U+2028, U+2029) and the bidirectional
 * controls (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) become
 * "\xNN" or "\uNNNN"; bytes that are not UTF-8 become "\xNN". Everything
 * else (any script, emoji, ZWJ and ZWNJ) stays as it is. So an audit
 * listing cannot show a fake row, a fake column or text reordered by a
 * hidden override, and the escaped form tells exactly what was stored. */
char *intake_escape_field (const char *text);

G_END_DECLS
