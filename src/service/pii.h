#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/control_characters.h"  // HasControlCharacter: fields the service refuses

namespace eventlog {

// An email as log lines may show it when personal data is masked (EVENTLOG_LOG_MASK_PII):
// the first character of the local part and the domain, "ada@example.com" -> "a***@example.com".
// Without an '@' nothing is kept: "***".
std::string MaskEmail(std::string_view email);

// `text` with every occurrence of each of `values` replaced by "***" (values shorter than 3
// characters are left alone: they would mask unrelated text).
std::string MaskValues(std::string text, std::initializer_list<std::string_view> values);

}  // namespace eventlog
