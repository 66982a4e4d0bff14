// netfault-ctl: the command-line client of the netfault control socket.
#include <string>
#include <vector>

#include "fault-injection/netfault/ctl_command.h"

int main(int argc, char** argv) {
  return reftarget::netfault::CtlMain(std::vector<std::string>(argv + 1, argv + argc));
}
