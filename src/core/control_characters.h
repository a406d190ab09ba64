#pragma once

#include <string_view>

namespace eventlog {

// C0 controls (below 0x20: NUL, tab, CR, LF, ...) and DEL: what would cut a C string, add a line
// to a log or a header to an HTTP request.
bool HasAsciiControl(std::string_view text);

// The same, plus the C1 controls (U+0080..U+009F) of UTF-8 text: what a person's name or an
// event field may not hold.
bool HasControlCharacter(std::string_view text);

}  // namespace eventlog
