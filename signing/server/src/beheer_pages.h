// Private to signing/server: the HTML of the penvoerder's pages (/beheer). Server-rendered,
// usable without script; /beheer/beheer.js only refreshes the progress section. Every value is
// escaped here (sto/html.h); callers pass plain text.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sto/workflow.h"

namespace sto::beheer_page {

// The pages' stylesheet (the signing page's, widened, with tables and progress bars) and its
// "sha256-…" for the Content-Security-Policy.
const std::string& style();
const std::string& style_hash();
// The script that refreshes #voortgang every 5 s (served as /beheer/beheer.js).
const std::string& script();

std::string login(const std::string& csrf, const std::string& error);
// A short page: title, paragraph, and a link back (empty: none).
std::string message(const std::string& title, const std::string& text, const std::string& back = "/beheer/");

std::string overview(const std::string& csrf, const std::vector<Status>& agreements);

// The progress section's inner HTML (what the script refreshes).
std::string progress(const Status& status);
// The agreement page around `progress_html` (progress(status), which the server keeps between views).
std::string agreement(const std::string& csrf, const Status& status, const Herinneringen& schedule,
                      const std::string& progress_html, const std::string& done, const std::string& error);
// One tekenbevoegde: state and the actions on them (remind, a corrected address).
std::string signatory(const std::string& csrf, const Status& status, std::size_t index);

// "Are you sure?": `fields` are posted again with bevestig=ja to `action`.
std::string confirm(const std::string& csrf, const std::string& title, const std::string& text,
                    const std::string& action, const std::vector<std::pair<std::string, std::string>>& fields,
                    const std::string& back);

std::string upload(const std::string& csrf, const std::vector<std::string>& kenmerken, const std::string& error);
// The findings of an upload, each line as `sto validate` prints it, and the summary line; with
// `upload_id` (nothing is an error) the form that opens it.
std::string findings(const std::string& csrf, const std::string& title, const std::vector<std::string>& lines,
                     const std::string& summary, const std::string& upload_id);

}  // namespace sto::beheer_page
