#include "harness/loadgen/run_context.h"

namespace harness::loadgen {

void RunContext::AddErrorSample(IoErrorSample sample) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_samples_.size() < config->max_samples) error_samples_.push_back(std::move(sample));
}

void RunContext::AddVerifySample(VerifyError sample) {
  std::lock_guard<std::mutex> lock(mu_);
  if (verify_samples_.size() < config->max_samples) verify_samples_.push_back(std::move(sample));
}

std::vector<IoErrorSample> RunContext::TakeErrorSamples() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(error_samples_);
}

std::vector<VerifyError> RunContext::TakeVerifySamples() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(verify_samples_);
}

}  // namespace harness::loadgen
