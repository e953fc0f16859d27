// The signing page's HTML: server-rendered, no script, one inline style (allowed by its hash).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sto/workflow.h"

namespace sto::page {

// The stylesheet, and "sha256-…" of it for the Content-Security-Policy.
const std::string& style();
const std::string& style_hash();
// "sha256-…" (base64) of `text`: how a Content-Security-Policy allows one inline style.
std::string csp_hash(std::string_view text);

// "26 november 2026 om 01:38 UTC"
std::string datum(std::int64_t ms);

// The page for `view` (any kind). `base` is "/t/<token>", `csrf` the form field's value,
// `error` a message to show above the forms (a PageError), `name` and `reason` what was typed.
std::string render(const LinkView& view, const std::string& base, const std::string& csrf, const std::string& error,
                   const std::string& name, const std::string& reason);

// A short page with a title and one paragraph (errors, the root).
std::string message(const std::string& title, const std::string& text);

}  // namespace sto::page
