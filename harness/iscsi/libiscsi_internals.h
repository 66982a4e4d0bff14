// The few private libiscsi 1.19 structures PduRewriteGuard needs, vendored because the
// installed headers (/usr/include/iscsi/iscsi.h, scsi-lowlevel.h) do not declare them:
// libiscsi's own iscsi-test-cu reaches them through its private include/iscsi-private.h.
//
// Only the leading members are declared, never a whole struct, and only what was checked
// against Debian's libiscsi.so.7 (1.19.0) machine code:
//  - iscsi_queue_pdu() is `mov (%rdi),%rax; jmp *0x8(%rax)`: the context starts with the
//    transport pointer `drv`, whose second member is queue_pdu;
//  - the writer loop in iscsi_service() reads pdu->outdata.size at 0x30, outdata_written
//    at 0x40, payload_offset/len/written at 0x48/0x4c/0x50, and calls drv->free_pdu at
//    0x20 (the fifth transport member).
// The build refuses any other libiscsi version (static_assert below, fed from pkg-config by
// harness/iscsi/CMakeLists.txt); the guard also checks each PDU's header buffer at run time
// and leaves a PDU untouched if it does not look like a BHS.
#pragma once

#include <iscsi/iscsi.h>

#include <cstddef>
#include <cstdint>

#ifndef HARNESS_LIBISCSI_VERSION_MAJOR
#error "harness/iscsi/CMakeLists.txt must define HARNESS_LIBISCSI_VERSION_MAJOR/MINOR"
#endif
static_assert(HARNESS_LIBISCSI_VERSION_MAJOR == 1 && HARNESS_LIBISCSI_VERSION_MINOR == 19,
              "libiscsi_internals.h describes libiscsi 1.19's private layout; re-check the "
              "offsets against the new library before changing this");
static_assert(LIBISCSI_API_VERSION == 20170105, "unexpected libiscsi API version");

struct iscsi_pdu;

namespace harness::iscsi::internal {

// libiscsi 1.19 include/iscsi-private.h: `typedef struct iscsi_transport {...}`, all of it.
struct Transport {
  int (*connect)(iscsi_context* iscsi, void* sa, int ai_family);
  int (*queue_pdu)(iscsi_context* iscsi, iscsi_pdu* pdu);
  iscsi_pdu* (*new_pdu)(iscsi_context* iscsi, size_t size);
  int (*disconnect)(iscsi_context* iscsi);
  void (*free_pdu)(iscsi_context* iscsi, iscsi_pdu* pdu);
  int (*service)(iscsi_context* iscsi, int revents);
  int (*get_fd)(iscsi_context* iscsi);
  int (*which_events)(iscsi_context* iscsi);
};
static_assert(offsetof(Transport, queue_pdu) == 0x08);
static_assert(offsetof(Transport, free_pdu) == 0x20);

// The first member of struct iscsi_context.
struct ContextHead {
  Transport* drv;
};

// The leading members of struct iscsi_pdu, up to payload_written.
struct PduHead {
  iscsi_pdu* next;
  uint32_t flags;
  uint32_t lun;
  uint32_t itt;
  uint32_t cmdsn;
  uint32_t datasn;
  int response_opcode;
  iscsi_command_cb callback;
  void* private_data;
  iscsi_data outdata;  // header (+ digest slot) and any inline data segment
  size_t outdata_written;
  uint32_t payload_offset;
  uint32_t payload_len;  // data segment sent from the task's iovectors
  uint32_t payload_written;
};
static_assert(offsetof(PduHead, flags) == 0x08);
static_assert(offsetof(PduHead, itt) == 0x10);
static_assert(offsetof(PduHead, cmdsn) == 0x14);
static_assert(offsetof(PduHead, outdata) == 0x30);
static_assert(offsetof(PduHead, outdata_written) == 0x40);
static_assert(offsetof(PduHead, payload_offset) == 0x48);
static_assert(offsetof(PduHead, payload_len) == 0x4c);
static_assert(offsetof(PduHead, payload_written) == 0x50);

inline ContextHead* Head(iscsi_context* ctx) { return reinterpret_cast<ContextHead*>(ctx); }
inline PduHead* Head(iscsi_pdu* pdu) { return reinterpret_cast<PduHead*>(pdu); }

}  // namespace harness::iscsi::internal
