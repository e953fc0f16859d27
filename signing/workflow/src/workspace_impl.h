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
#include <utility>

#include "sto/pades.h"
#include "sto/workflow.h"

namespace sto {

inline constexpr std::int64_t kDayMs = 86'400'000;

// Why a version row is refused: it does not match its seal (docs/threat-model.md).
std::string unsealed(const VersionRecord& v);

struct Werkruimte::Impl {
  std::filesystem::path dir;
  std::filesystem::path templates;
  Configuration config;
  Store store;
  Pki pki;
  std::unique_ptr<TimestampAuthority> tsa;
  std::string tsa_history;  // tsa-geschiedenis.pem: every TSA certificate trusted so far
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
  std::set<std::string> reported;    // run_due's failures already written to stderr (once each)

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
  // Seals: MACs by the workspace's secret (geheim, beside pki/, never in the database) over what
  // a version binds (kenmerk, versie, xml, contract and where it lies) and what a link binds
  // (its token's hash, whose link it is, for which contract, until when). A row written by
  // someone with access to the database alone has no valid seal: such a link is unknown, such a
  // version is refused (agreement_of, chain_of). What a seal cannot stop: a reset of a row to
  // an earlier sealed state, deleting rows (docs/threat-model.md).
  // The same for a signatory: who it is and where its mail goes (so that no reminder mails a
  // fresh link to an address written into the database).
  std::string seal(const VersionRecord& v) const;
  std::string seal(const SignatoryRecord& s, const VersionRecord& v) const;
  std::string seal(const TokenRecord& t, const SignatoryRecord& s, const VersionRecord& v) const;
  bool sealed(const VersionRecord& v) const;
  bool sealed(const SignatoryRecord& s, const VersionRecord& v) const;
  bool sealed(const LinkRecord& link) const;
  // Seals what a workspace from before seals existed holds, once: the file `verzegeld` in the
  // workspace says it was done (a marker in the database could be reset by whoever writes there,
  // and every row forged meanwhile would be sealed at the next start).
  void seal_existing();
  // An audit entry of `event` by `actor`, now; `about` adds whom it concerns.
  AuditEntry entry(std::string_view event, const Actor& actor) const;
  // The same for an act of the penvoerder: by another actor than the CLI's it came through the
  // /beheer pages ("via": "beheer").
  AuditEntry penvoerder_entry(std::string_view event, const Actor& actor) const;
  static AuditEntry& about(AuditEntry& e, const SignatoryRecord& s, const VersionRecord& v);
  // Which document an entry concerns: "versie", and for an amendment "wijziging" (its number).
  static AuditEntry& of_version(AuditEntry& e, const VersionRecord& v);
  void set_state(Store::Transaction& tx, SignatoryRecord& s, SignatoryState state);

  // --- amendments.cpp ---
  // What an amendment stands on, from the agreement's rows (in the order opened): the newest
  // contract version, its completed amendments numbered below `before` (0: all) in order, and
  // the basis the next amendment is checked against (hashes only of what is completed).
  struct Grondslag {
    std::optional<VersionRecord> contract;
    std::vector<VersionRecord> in_force;
    WijzigingBasis basis;
  };
  // `hashes`: also the SHA-256 of the signed PDFs (reads them).
  Grondslag grondslag(const std::vector<VersionRecord>& rows, std::int64_t before, Store::Transaction* tx, bool hashes);
  // The amendments, the agreement in force and the signed hashes, as of the agreement's rows:
  // made once per state of those rows (status() runs many times a second under /beheer, and
  // reading the amendments' XML and signed PDFs each time would dominate it).
  struct Amendments {
    std::string key;  // the rows' ids and states it was made from
    std::vector<WijzigingStatus> wijzigingen;
    std::shared_ptr<const Agreement> in_force;  // null while the contract is not completed
    std::string contract_sha256;
  };
  std::map<std::string, std::shared_ptr<const Amendments>> amendments_cache;  // per kenmerk (cache_mutex)
  std::shared_ptr<const Amendments> amendments_of(const std::string& kenmerk);
  // The amendments and the partners in force, for status().
  void amendments_status(const std::string& kenmerk, Status& st);
  // What an amendment is and does, for its mails: its kind, one sentence in Dutch, and the
  // agreement in force once it is (its partners' tekenbevoegden are told it is in force). Made
  // once per version: an opened amendment never changes.
  struct AmendmentFacts {
    std::string soort;
    std::string beschrijving;
    Agreement na;
  };
  std::map<std::int64_t, std::shared_ptr<const AmendmentFacts>> amendment_facts_cache;  // (cache_mutex)
  std::shared_ptr<const AmendmentFacts> amendment_facts(const VersionRecord& v, Store::Transaction* tx);
  // open_wijziging's checks of `bytes`: `validation` receives the findings; the agreement's rows
  // as checked and the grondslag, or nullopt when the amendment is invalid. Refusal for an unknown
  // kenmerk, an open document, or a contract not completed.
  struct Checked {
    VersionRecord latest;
    Grondslag grondslag;
  };
  std::optional<Checked> check_amendment(std::string_view bytes, const std::string& source,
                                         WijzigingValidation& validation);
  // An amendment's document (Wijzigingsstuk::document): what its signatories and fields are.
  std::shared_ptr<const Agreement> amendment_document(const VersionRecord& v, Store::Transaction* tx);

  // --- opening.cpp ---
  // A private folder that is removed again unless it was moved away (path cleared).
  struct Scratch {
    std::filesystem::path path;
    explicit Scratch(std::filesystem::path p) : path(std::move(p)) {}
    Scratch(Scratch&& other) noexcept : path(std::exchange(other.path, {})) {}
    Scratch& operator=(Scratch&&) = delete;
    ~Scratch();
  };
  // What changed in the text of the contract since the contract version before `a` (its number
  // and sto/template.h differences, a line each; 0 and empty when there is none): `a` is filled
  // from the templates in `made_from`, the old one from its own copy.
  std::pair<std::int64_t, std::string> changes_since(const Agreement& a, const std::filesystem::path& made_from);
  // The changes of `v` since the version before it, when `tekenbevoegde` was asked to sign that
  // one too (else empty: for them everything is new).
  std::vector<std::string> changes_for(const VersionRecord& v, const std::string& tekenbevoegde);
  // A private copy of what a document in `taal` is made from (sto/render.h contract_inputs),
  // beside the contracts: rendered from, then kept with its chain by register_document.
  Scratch snapshot_templates(Taal taal, bool wijziging) const;
  // Writes revision 0 (`pdf`) to v.contract_dir (reusing one an uncommitted open left), moves
  // the snapshot beside it, seals and inserts `v`, and one pending request per tekenbevoegde of
  // `document`. Returns how many.
  std::int64_t register_document(Store::Transaction& tx, VersionRecord& v, const Agreement& document,
                                 const std::string& pdf, Scratch& snapshot);
  // Revokes `v` and its open requests inside `tx`.
  void revoke_version(Store::Transaction& tx, VersionRecord& v, const std::string& reason, const Actor& actor);

  // --- status.cpp ---
  // Requests whose every link expired become expired (inside `tx`).
  void expire_due(Store::Transaction& tx, const VersionRecord& v);
  // Whether a request of `v` is due to expire now: a read, so that the write lock is taken only then.
  bool expiry_due(const VersionRecord& v, const std::vector<SignatoryRecord>& signatories);

  // --- signing_act.cpp ---
  LinkView::Kind classify(const LinkRecord& link) const;
  LinkView describe(const LinkRecord& link, Store::Transaction* tx = nullptr);

  // --- mailing.cpp ---
  std::string base_url() const { return config.base_url.empty() ? "http://" + config.listen : config.base_url; }
  // Mails every signatory of the latest open version that is due one a new link: the pending
  // ones (invitation), or the invited, viewed and expired ones (reminder; see RemindOptions and
  // the 24 h rule).
  std::vector<MailOutcome> send_links(const std::string& kenmerk, bool reminder, const RemindOptions& options,
                                      const Actor& actor);
  // Checks that the links would point somewhere (else Refusal).
  void check_base_url() const;
  // One new link to `listed` by mail, the outcome recorded. `claim`, when given, decides inside
  // the transaction that makes the token whether the mail is still due (a run of another
  // process, or another act, may have mailed meanwhile); nullopt when it is not, or when the
  // request is no longer this agreement's.
  std::optional<MailOutcome> mail_link(
      const VersionRecord& v, const SignatoryRecord& listed, bool reminder, const Actor& actor,
      const std::function<bool(Store::Transaction&, const SignatoryRecord&)>& claim = {});
  // Runs `job` on a thread of its own (mail that must not hold up a page); flush_mail waits.
  void in_background(std::string what, std::function<void()> job);
  void flush_mail();

  // --- schedule.cpp: the penvoerder's notices, the reminder schedule, the daily summary ---
  std::optional<MailAddress> penvoerder_address() const;
  // The context of a notice about `v` (and `s`, when given): ${link} is the /beheer page.
  MailContext notice_context(const VersionRecord& v, const SignatoryRecord* s, Store::Transaction* tx = nullptr);
  std::size_t remind_due(const std::string& kenmerk);

  // --- outbox.cpp: the mails acts cause, kept in the store until accepted ---
  // (outbox_words, below: what a kind of mail is called)
  // Inside the act's transaction: the completion mail to every address of `v` (of an amendment:
  // also to every other tekenbevoegde of the agreement in force after it) and the penvoerder's notice; the penvoerder's
  // notice of a refusal; of an undeliverable invitation. Notices only when penvoerder.email is set.
  void enqueue_completion(Store::Transaction& tx, const VersionRecord& v,
                          const std::vector<SignatoryRecord>& signatories);
  void enqueue_declined(Store::Transaction& tx, const VersionRecord& v, const SignatoryRecord& s);
  void enqueue_bounce(Store::Transaction& tx, const VersionRecord& v, const SignatoryRecord& s,
                      const std::string& message);
  void enqueue(Store::Transaction& tx, std::string_view kind, const VersionRecord& v, std::int64_t signatory_id,
               const std::string& detail);
  // The mail `m` stands for; `signed_pdfs` keeps the signed contracts read so far (by version).
  Mail outgoing(Store::Transaction& tx, const OutboxRecord& m, std::map<std::int64_t, std::string>& signed_pdfs);
  // Sends the agreement's mails that are due, one by one; returns how many were accepted.
  std::size_t deliver(const std::string& kenmerk);
  // The same on a thread of its own, after an act's commit (see flush_mail).
  void deliver_soon(const std::string& kenmerk);
  bool summarise_due(const std::string& kenmerk);
};

// "afrondingsmail", "melding aan de penvoerder: geweigerd", ...: an outbox kind in words.
std::string_view outbox_words(std::string_view kind);
// Whom a completion mail in the outbox goes to: the signatory it names, or (an amendment's mail to
// a tekenbevoegde who did not sign it) the address it carries; nullopt for neither.
std::optional<MailAddress> outbox_recipient(const OutboxRecord& m, const std::vector<SignatoryRecord>& signatories);

}  // namespace sto
