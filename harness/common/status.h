// Status and Result<T> for every harness library. The harness never links or shares the
// target's code (DESIGN.md), so it keeps its own, with one addition the target does not
// need: an optional numeric code (the iSCSI login status, RFC 7143 §11.13.5).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace harness {

// A success or a failure whose message names the input that caused it.
class Status {
 public:
  // Returns a success value.
  static Status Ok() { return Status(); }
  // Returns a failure carrying `message` and, optionally, a numeric `code` (-1: none).
  static Status Error(std::string message, int code = -1) {
    return Status(std::move(message), code);
  }

  bool ok() const { return !message_.has_value(); }
  // Returns the failure message; "" for a success.
  const std::string& message() const {
    static const std::string kEmpty;
    return message_ ? *message_ : kEmpty;
  }
  // Returns the failure's numeric code, or -1.
  int code() const { return code_; }

 private:
  Status() = default;
  Status(std::string message, int code) : message_(std::move(message)), code_(code) {}
  std::optional<std::string> message_;
  int code_ = -1;
};

// Either a value or a failure Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(value_); }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  // Returns the failure; Status::Ok() if ok().
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }
  // Returns the failure message; "" if ok().
  const std::string& error() const {
    static const std::string kEmpty;
    return ok() ? kEmpty : std::get<Status>(value_).message();
  }

 private:
  std::variant<T, Status> value_;
};

}  // namespace harness
