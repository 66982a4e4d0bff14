// faultfs-ctl: the command-line client of the faultfs control socket.
#include <string>
#include <vector>

#include "fault-injection/faultfs/ctl_command.h"

int main(int argc, char** argv) {
  return reftarget::faultfs::CtlMain(std::vector<std::string>(argv + 1, argv + argc));
}
