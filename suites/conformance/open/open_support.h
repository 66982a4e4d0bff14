// What the "open" conformance tests include: the common helpers, the raw login driver and
// the raw Full Feature Phase client.
#pragma once

#include "suites/conformance/open/open_client.h"
#include "suites/conformance/open/open_common.h"
#include "suites/conformance/open/open_login.h"
