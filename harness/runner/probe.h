// The probe step: what the target claims, recorded in report.json's target.probe before the
// suites judge it: INQUIRY identity, VPD pages (supported list, B0h block limits, B2h logical
// block provisioning), READ CAPACITY(16), REPORT SUPPORTED OPERATION CODES and the login keys
// the target answers to a plain offer.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "harness/adapters/target_adapter.h"
#include "reports/report_model.h"

namespace harness::runner {

// Probes LUN `lun` of `target` as `initiator` (which the target must accept without CHAP).
// Returns the probe object; a part that fails is recorded as {"error": "..."}, never thrown.
nlohmann::json ProbeTarget(const adapters::Portal& portal, const std::string& iqn, int lun,
                           const std::string& initiator);

// Fills report.run.target vendor/product/revision and probe from a ProbeTarget result.
void RecordProbe(const nlohmann::json& probe, reports::Target* target);

}  // namespace harness::runner
