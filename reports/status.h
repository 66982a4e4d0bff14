// Status and Result<T> for the reports library.
//
// The harness judges the target from outside and never links a target/ library
// (DESIGN.md), so this is a local copy of the shape of target/common/status.h rather
// than an include of it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace harness::reports {

// A success or a failure with a message that names the input that caused it.
class Status {
 public:
  // Returns a success value.
  static Status Ok() { return Status(); }
  // Returns a failure carrying `message`.
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !message_.has_value(); }
  // Returns the failure message; "" for a success.
  const std::string& message() const {
    static const std::string kEmpty;
    return message_ ? *message_ : kEmpty;
  }

 private:
  Status() = default;
  explicit Status(std::string message) : message_(std::move(message)) {}
  std::optional<std::string> message_;
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

}  // namespace harness::reports
