// The reports library uses the harness's Status and Result<T> (harness/common/status.h).
#pragma once

#include "harness/common/status.h"

namespace harness::reports {

using harness::Result;
using harness::Status;

}  // namespace harness::reports
