// Private to signing/server: the state of the penvoerder's pages, shared by beheer.cpp (access,
// routes, pages) and beheer_actions.cpp (the actions, downloads and uploads).
#pragma once

#include <Poco/Net/NameValueCollection.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "beheer.h"
#include "beheer_access.h"
#include "sto/rules.h"

namespace sto {

using FormFields = Poco::Net::NameValueCollection;

// What a request needs once it is let in.
struct PageVisit {
  http::HTTPServerRequest& req;
  http::HTTPServerResponse& res;
  const Actor& who;
  beheer::Session session;
  FormFields form;        // a POST's fields (a file's content under its field name)
  std::string file_name;  // an upload's file name as the browser gave it
};

struct Beheer::Impl {
  Werkruimte& w;
  std::filesystem::path templates;
  bool https;
  std::vector<RuleSet> rule_sets;
  beheer::Sessions sessions;
  beheer::Throttle throttle;
  beheer::AccessLog log;

  Impl(Werkruimte& werkruimte, std::filesystem::path t, bool h);

  std::int64_t now_ms() const { return static_cast<std::int64_t>(w.now()) * 1000; }
  std::string policy() const;
  void html(http::HTTPServerResponse& res, http::HTTPResponse::HTTPStatus status, const std::string& body) const;
  void redirect(http::HTTPServerResponse& res, const std::string& location) const;
  // Adds a line to beheer.jsonl: `event` by `who`, with `extra` fields.
  void record(std::string_view event, const Actor& who, const std::map<std::string, std::string>& extra = {});

  // The agreement page's costly part (five queries and a 140-row table), kept while the
  // agreement's audit chain stands still: every change the page shows appends to that chain, also
  // one made by another server on the same database. At most a second old, so that links expiring
  // by time alone are marked (by Werkruimte::status) within a second as well.
  struct Shown {
    std::string head;
    std::int64_t at_ms = 0;
    Status status;
    Herinneringen schedule;
    std::string progress;  // beheer_page::progress(status)
  };
  std::shared_ptr<const Shown> shown(const std::string& kenmerk);
  std::mutex shown_mutex;
  std::mutex shown_building;
  std::map<std::string, std::shared_ptr<const Shown>> shown_cache;

  // --- beheer_actions.cpp ---
  // POST /beheer/overeenkomsten/K/<action>: a confirmation page first, then the act and a 303.
  void act(PageVisit& v, const std::string& kenmerk, const std::string& action);
  // GET /beheer/overeenkomsten/K/<file>: contract.pdf, getekend.pdf, bewijsdossier.pdf, archief.zip.
  bool download(PageVisit& v, const std::string& kenmerk, const std::string& file);
  // POST /beheer/nieuw (an upload, checked) and /beheer/nieuw/open (opened after confirmation).
  void check_upload(PageVisit& v);
  void open_upload(PageVisit& v);
  // The agreement page again, with `error` (HTTP 422).
  void agreement_error(PageVisit& v, const std::string& kenmerk, const std::string& error);
};

// "Gedaan" text for the agreement page after an action (from its 303's query).
std::string done_text(const std::string& query);

}  // namespace sto
