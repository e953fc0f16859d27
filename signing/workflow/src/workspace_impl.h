// Private to signing/workflow: the workspace's state, shared by the files that hold its acts
// (workspace.cpp: opening a workspace and its caches; opening.cpp: a version being opened or
// revoked; mailing.cpp: invitations, reminders and completion mails; signing_act.cpp: what a
// link shows and does; status.cpp: the penvoerder's view).
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "sto/pades.h"
#include "sto/workflow.h"

namespace sto {

// "2026-11-26T01:38:02.123Z"
std::string iso_ms(std::int64_t ms);

struct Werkruimte::Impl {
  std::filesystem::path dir;
  std::filesystem::path templates;
  Configuration config;
  Store store;
  Pki pki;
  std::unique_ptr<TimestampAuthority> tsa;
  std::unique_ptr<Transport> transport;
  Clock clock = system_time;
  bool real_clock = true;
  std::string secret;
  std::vector<RuleSet> rule_sets;

  // Per version: the agreement as opened, and its contract's chain (used only while holding
  // the agreement's lock in the store).
  struct Opened {
    std::shared_ptr<const Agreement> agreement;
    std::unique_ptr<SignedContract> chain;
  };
  std::mutex cache_mutex;
  std::map<std::int64_t, Opened> cache;
  std::set<std::string> downloaded;  // token hashes whose pdf-downloaded entry is written

  // Completion mails go out on threads of their own, so that the last signatory's request does
  // not wait for a mail with the signed PDF to every signatory.
  std::mutex mailers_mutex;
  std::vector<std::future<void>> mailers;

  Impl(std::filesystem::path d, std::filesystem::path t, Configuration c, Store s, Pki p);
  ~Impl() { flush_mail(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // --- workspace.cpp ---
  // Milliseconds from the system clock; whole seconds of a clock a test fixed.
  std::int64_t now_ms() const;
  // The version's agreement, parsed once. A version from a link lookup comes without its xml: it
  // is read then, through `tx` when the caller holds one (a second connection could wait for
  // one that only the caller's own transaction would free).
  std::shared_ptr<const Agreement> agreement_of(const VersionRecord& v, Store::Transaction* tx = nullptr);
  // The version's chain, up to date with the disk and with the store's record (call with the
  // agreement's lock held): revisions another process added are read; revisions beyond the
  // record (a signing act whose transaction did not commit) are removed.
  SignedContract& chain_of(const VersionRecord& v);
  void forget_chain(std::int64_t version_id);
  // An audit entry of `event` by `actor`, now; `about` adds whom it concerns.
  AuditEntry entry(std::string_view event, const Actor& actor) const;
  static AuditEntry& about(AuditEntry& e, const SignatoryRecord& s, const VersionRecord& v);
  void set_state(Store::Transaction& tx, SignatoryRecord& s, SignatoryState state);

  // --- opening.cpp ---
  // Revokes `v` and its open requests inside `tx`.
  void revoke_version(Store::Transaction& tx, VersionRecord& v, const std::string& reason, const Actor& actor);

  // --- status.cpp ---
  // Requests whose every link expired become expired (inside `tx`).
  void expire_due(Store::Transaction& tx, const VersionRecord& v);

  // --- signing_act.cpp ---
  LinkView::Kind classify(const LinkRecord& link) const;
  LinkView describe(const LinkRecord& link, Store::Transaction* tx = nullptr);

  // --- mailing.cpp ---
  std::string base_url() const { return config.base_url.empty() ? "http://" + config.listen : config.base_url; }
  // Mails every signatory of the latest open version that is due one a new link: the pending
  // ones (invitation), or the invited, viewed and expired ones (reminder).
  std::vector<MailOutcome> send_links(const std::string& kenmerk, bool reminder);
  // Mails every signatory of the completed version `v` the signed contract, on a thread of its
  // own (see flush_mail).
  void start_completion_mail(const VersionRecord& v, std::int64_t effective_ms);
  void flush_mail();
};

}  // namespace sto
