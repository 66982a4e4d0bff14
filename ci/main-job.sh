#!/usr/bin/env bash
# The main job: builds reftarget, starts it on a default configuration with one LUN of
# each backstore kind (FILEIO, BLOCK on a loop device, RAMDISK), runs libiscsi's
# iscsi-test-cu and a short verified fio run against every LUN, writes a report and
# prints its path. Exit 0: no test failed; 1: a test failed; 2: the job could not run.
# Usage: ci/main-job.sh [OUT_DIR]
set -uo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
out=${1:-$repo_root/out/main-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || { echo "main-job: cannot create $out" >&2; exit 2; }
out=$(cd "$out" && pwd)

bash ci/install-deps.sh || exit 2
{ cmake --preset release && cmake --build --preset release --target reftarget; } >"$out/build.log" 2>&1 ||
  { echo "main-job: build failed, see $out/build.log" >&2; exit 2; }
reftarget=$repo_root/build/release/target/daemon/reftarget
fio=$repo_root/.deps/fio/bin/fio
families=(SCSI.Inquiry SCSI.TestUnitReady SCSI.ReadCapacity10 SCSI.ReadCapacity16
  SCSI.Read6 SCSI.Read10 SCSI.Read12 SCSI.Read16 SCSI.Write10 SCSI.Write12 SCSI.Write16
  SCSI.WriteAtomic16 SCSI.Verify10 SCSI.Verify12 SCSI.Verify16 SCSI.WriteVerify10
  SCSI.WriteVerify12 SCSI.WriteVerify16 SCSI.WriteSame10 SCSI.WriteSame16 SCSI.Unmap
  SCSI.GetLBAStatus SCSI.ModeSense6 SCSI.ReportSupportedOpcodes iSCSI.iSCSIcmdsn
  iSCSI.iSCSIdatasn iSCSI.iSCSIResiduals iSCSI.iSCSITMF)

# A free loopback port: one nothing answers on.
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "main-job: no free port found" >&2; exit 2; }

work=$out/work
mkdir -p "$work"
truncate -s 1G "$work/fileio.img"
block_dev=""
block_reason=""
if [ "$(id -u)" -eq 0 ] && [ -e /dev/loop-control ]; then
  truncate -s 1G "$work/block.img"
  block_dev=$(losetup -f --show "$work/block.img" 2>"$work/losetup.err") || { block_dev=""; block_reason="losetup failed: $(cat "$work/losetup.err")"; }
else
  block_reason="BLOCK needs root and /dev/loop-control for a loop device"
fi
cleanup() {
  if [ -n "${target_pid:-}" ] && kill -0 "$target_pid" 2>/dev/null; then kill -KILL "$target_pid" 2>/dev/null; fi
  [ -n "$block_dev" ] && losetup -d "$block_dev" 2>/dev/null
  rm -f "$work/fileio.img" "$work/block.img"
}
trap cleanup EXIT

iqn=iqn.2026-11.org.reftarget.mainjob
block_so="" ; block_lun=""
if [ -n "$block_dev" ]; then
  block_so=$(printf ',\n    {"plugin": "block", "name": "block0", "dev": "%s", "readonly": false, "write_back": false, "wwn": "8c6b7a52-0f10-4c43-9d61-b0c1c0d0e0f2", "attributes": {"emulate_tpu": 1}}' "$block_dev")
  block_lun=',
          {"index": 2, "storage_object": "/backstores/block/block0"}'
fi
cat >"$out/saveconfig.json" <<JSON
{
  "fabric_modules": [],
  "storage_objects": [
    {"plugin": "fileio", "name": "file0", "dev": "$work/fileio.img", "size": 1073741824, "write_back": true,
     "wwn": "5a1f5c3e-7d3b-4a51-9f3c-1c2d3e4f5a61", "attributes": {"emulate_tpu": 1}},
    {"plugin": "ramdisk", "name": "ram0", "size": 1073741824,
     "wwn": "2b7e1516-28ae-4d2a-a6ab-f7158809cf4f", "attributes": {"emulate_tpu": 1}}$block_so
  ],
  "targets": [
    {"fabric": "iscsi", "wwn": "$iqn",
     "tpgs": [{"tag": 1, "enable": true,
        "attributes": {"authentication": 0, "generate_node_acls": 1, "demo_mode_write_protect": 0,
                       "cache_dynamic_acls": 1, "default_cmdsn_depth": 128},
        "parameters": {"MaxRecvDataSegmentLength": "262144", "MaxBurstLength": "1048576",
                       "FirstBurstLength": "262144", "ImmediateData": "Yes", "InitialR2T": "No",
                       "HeaderDigest": "CRC32C,None", "DataDigest": "CRC32C,None"},
        "luns": [
          {"index": 0, "storage_object": "/backstores/fileio/file0"},
          {"index": 1, "storage_object": "/backstores/ramdisk/ram0"}$block_lun
        ],
        "portals": [{"ip_address": "127.0.0.1", "port": $port}],
        "node_acls": []}]}
  ]
}
JSON

"$reftarget" --config "$out/saveconfig.json" --log-level info 2>"$out/reftarget.log" &
target_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$target_pid" 2>/dev/null || { echo "main-job: reftarget exited at start; see $out/reftarget.log" >&2; tail -5 "$out/reftarget.log" >&2; exit 2; }
  sleep 0.1
done

declare -A lun_of=([fileio]=0 [ramdisk]=1)
kinds=(fileio ramdisk)
if [ -n "$block_dev" ]; then lun_of[block]=2; kinds=(fileio block ramdisk); fi

results=$out/conformance.txt
: >"$results"
for kind in "${kinds[@]}"; do
  url=iscsi://127.0.0.1:$port/$iqn/${lun_of[$kind]}
  for family in "${families[@]}"; do
    log=$out/cu/$kind/$family.log
    mkdir -p "$(dirname "$log")"
    timeout 300 iscsi-test-cu -d --test="$family" "$url" >"$log" 2>&1
    awk -f ci/cu-summary.awk "$log" | while read -r suite test status; do
      echo "$kind $family $suite.$test $status" >>"$results"
    done
    if ! kill -0 "$target_pid" 2>/dev/null; then
      echo "$kind $family reftarget-alive - FAIL" >>"$results"
      echo "main-job: reftarget died during $family on $kind" >&2
      break 2
    fi
  done
done

fio_results=$out/fio.txt
: >"$fio_results"
for kind in "${kinds[@]}"; do
  json=$out/fio-$kind.json
  if [ ! -x "$fio" ]; then echo "$kind SKIP fio-missing 0 0" >>"$fio_results"; continue; fi
  timeout 300 "$fio" --output-format=json --output="$json" --name=verify --ioengine=libiscsi \
    --filename="iscsi\://127.0.0.1\:$port/$iqn/${lun_of[$kind]}" --rw=randwrite --bs=4k \
    --iodepth=32 --size=64m --verify=crc32c --do_verify=1 --verify_state_save=0 --initiator=iqn.2026-11.org.reftarget.fio \
    >"$out/fio-$kind.log" 2>&1
  rc=$?
  errors=$(grep -o '"error" : [0-9]*' "$json" 2>/dev/null | awk '{s+=$3} END {print s+0}')
  iops=$(grep -o '"iops" : [0-9.]*' "$json" 2>/dev/null | head -n 1 | awk '{print int($3)}')
  if [ "$rc" -eq 0 ] && [ "${errors:-1}" -eq 0 ]; then st=PASS; else st=FAIL; fi
  echo "$kind $st rc=$rc ${errors:-?} ${iops:-0}" >>"$fio_results"
done

kill -TERM "$target_pid" 2>/dev/null
exit_code=""
for _ in $(seq 1 100); do
  if ! kill -0 "$target_pid" 2>/dev/null; then wait "$target_pid"; exit_code=$?; break; fi
  sleep 0.1
done
target_pid_done=$target_pid; target_pid=""

# Report: JSON is the source of truth; Markdown is its rendering.
pass=$(awk '$4=="PASS"' "$results" | wc -l); skip=$(awk '$4=="SKIP"' "$results" | wc -l)
fail=$(awk '$4=="FAIL"' "$results" | wc -l)
fio_fail=$(awk '$2!="PASS"' "$fio_results" | wc -l)
{
  echo "{"
  echo "  \"job\": \"main\", \"target\": \"reference\", \"started\": \"$(date -Iseconds)\","
  echo "  \"block_skipped_reason\": \"$block_reason\","
  echo "  \"reftarget_exit_code\": \"${exit_code:-timeout}\","
  echo "  \"conformance\": ["
  awk '{printf "%s    {\"backstore\": \"%s\", \"family\": \"%s\", \"test\": \"%s\", \"status\": \"%s\"}", (NR>1?",\n":""), $1, $2, $3, $4} END {print ""}' "$results"
  echo "  ],"
  echo "  \"fio\": ["
  awk '{printf "%s    {\"backstore\": \"%s\", \"status\": \"%s\", \"detail\": \"%s\", \"errors\": \"%s\", \"write_iops\": %s}", (NR>1?",\n":""), $1, $2, $3, $4, $5} END {print ""}' "$fio_results"
  echo "  ]"
  echo "}"
} >"$out/report.json"
{
  echo "# reftarget main job"
  echo
  echo "Conformance (iscsi-test-cu): $pass pass, $skip skip, $fail fail."
  [ -n "$block_reason" ] && echo "BLOCK skipped: $block_reason"
  echo
  echo "| backstore | family | PASS | SKIP | FAIL |"
  echo "|---|---|---|---|---|"
  awk '{k=$1" "$2; if(!(k in seen)){order[n++]=k; seen[k]=1} c[k,$4]++} END {for(i=0;i<n;i++){split(order[i],a," "); printf "| %s | %s | %d | %d | %d |\n", a[1], a[2], c[order[i],"PASS"], c[order[i],"SKIP"], c[order[i],"FAIL"]}}' "$results"
  echo
  echo "fio (4k randwrite, verify=crc32c, iodepth 32, 64 MiB):"
  echo
  echo "| backstore | status | errors | write IOPS |"
  echo "|---|---|---|---|"
  awk '{printf "| %s | %s | %s | %s |\n", $1, $2, $4, $5}' "$fio_results"
  echo
  echo "reftarget exit code after SIGTERM: ${exit_code:-did not exit in 10 s}"
} >"$out/summary.md"
cat "$out/summary.md"
echo
echo "Report: $out/report.json"
echo "Summary: $out/summary.md"
if [ "$fail" -gt 0 ] || [ "$fio_fail" -gt 0 ] || [ "${exit_code:-1}" != 0 ]; then exit 1; fi
exit 0
