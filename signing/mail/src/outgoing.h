// What both transports do first: give the message its id and compose it.
#pragma once

#include <ctime>
#include <string>

#include "sto/mail.h"

namespace sto {

struct Outgoing {
  std::string message_id;  // without angle brackets
  std::string bytes;       // compose()'s
};

// A new Message-ID and the composed bytes. Throws MailError (permanent, code 0) when the mail
// cannot be composed (an address that is not an addr-spec, a bad media type): no retry helps.
Outgoing prepare(const Mail& mail, std::time_t date);

}  // namespace sto
