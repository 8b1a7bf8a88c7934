# SPDX-License-Identifier: GPL-2.0
# Level-3 locktorture run.  Environment (from testbed guest --env):
#   LT_TYPE     torture_type (default spin_lock)
#   LT_WRITERS  writer kthreads (default: one per vCPU)
#   LT_SECS     seconds to run (default 10)
#   LT_ARGS     further locktorture module parameters
cpus=$(grep -c ^processor /proc/cpuinfo)
: "${LT_TYPE:=spin_lock}" "${LT_WRITERS:=$cpus}" "${LT_SECS:=10}"
dmesg | grep -E 'kvm-guest: PV spinlocks' | sed 's/^\[[ 0-9.]*\] /otb: dmesg: /'
echo "otb: locktorture type=$LT_TYPE writers=$LT_WRITERS secs=$LT_SECS cpus=$cpus"
dmesg -c >/dev/null
# shellcheck disable=SC2086
modprobe locktorture torture_type="$LT_TYPE" nwriters_stress="$LT_WRITERS" \
	stat_interval=0 $LT_ARGS || { echo "otb: modprobe locktorture failed"; exit 1; }
sleep "$LT_SECS"
rmmod locktorture || { echo "otb: rmmod locktorture failed"; exit 1; }
dmesg | grep -E 'Writes:|End of test' | sed 's/^\[[ 0-9.]*\] /otb: lt: /'
dmesg | grep -q 'End of test: SUCCESS'
