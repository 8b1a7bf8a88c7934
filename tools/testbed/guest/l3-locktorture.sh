# SPDX-License-Identifier: GPL-2.0
# Level-3 locktorture run: the lock mode the kernel runs, optionally the
# oticket KUnit suite, then locktorture for each type in LT_TYPES with the
# lock events of each (CONFIG_LOCK_EVENT_COUNTS).  Environment (from testbed guest --env):
#   LT_TYPES    torture types, run one after the other (default spin_lock;
#               LT_TYPE is the old name of a one-type list)
#   LT_WRITERS  writer kthreads (default: one per vCPU)
#   LT_SECS     seconds per type (default 10)
#   LT_ARGS     further locktorture module parameters
#   KUNIT       if set, load oticket_kunit first and print its report
#   OTK_TUNE    "name=value ..." written to
#               /sys/module/oticket/parameters/name
# LT_TYPES=none runs no locktorture.
cpus=$(grep -c ^processor /proc/cpuinfo)
: "${LT_TYPES:=${LT_TYPE:-spin_lock}}" "${LT_WRITERS:=$cpus}" "${LT_SECS:=10}"
ev=/sys/kernel/debug/oticket
lev=/sys/kernel/debug/lock_event_counts
mount -t debugfs none /sys/kernel/debug 2>/dev/null
echo "otb: cpus=$cpus mode=$(cat $ev/mode 2>/dev/null || echo none)"
# The lock in use, now and again at the end: a kernel warning printed on
# the console at the same moment can split one copy of the line.
pvlines=$(dmesg | grep -E 'kvm-guest: PV spinlocks|pvlock: ' | sed 's/^\[[ 0-9.]*\] /otb: dmesg: /')
echo "$pvlines"
[ "$LT_TYPES" = none ] && LT_TYPES=
for kv in $OTK_TUNE; do
	echo "${kv#*=}" >"/sys/module/oticket/parameters/${kv%%=*}" || { echo "otb: cannot set $kv"; exit 1; }
	echo "otb: tune $kv"
done
rc=0
if [ -n "$KUNIT" ]; then
	dmesg -c >/dev/null
	modprobe oticket_kunit || { echo "otb: modprobe oticket_kunit failed"; exit 1; }
	dmesg | sed -n 's/^\[[ 0-9.]*\] /otb: kunit: /p'
	dmesg | grep -q '^\[[ 0-9.]*\] ok [0-9]* oticket$' || rc=1
fi
for t in $LT_TYPES; do
	echo "otb: locktorture type=$t writers=$LT_WRITERS secs=$LT_SECS cpus=$cpus"
	dmesg -c >/dev/null
	[ -w $lev/.reset_counts ] && echo 1 >$lev/.reset_counts
	# shellcheck disable=SC2086
	modprobe locktorture torture_type="$t" nwriters_stress="$LT_WRITERS" \
		stat_interval=0 $LT_ARGS || { echo "otb: modprobe locktorture $t failed"; exit 1; }
	sleep "$LT_SECS"
	rmmod locktorture || { echo "otb: rmmod locktorture $t failed"; exit 1; }
	dmesg | grep -E 'Writes:|End of test|onoff:|pvlock:' | sed "s/^\[[ 0-9.]*\] /otb: lt $t: /"
	dmesg | grep -q 'End of test: SUCCESS' || rc=1
	off=$(dmesg | grep -c 'torture_onoff task: offlined')
	on=$(dmesg | grep -c 'torture_onoff task: onlined')
	[ "$off$on" = 00 ] || echo "otb: lt $t: hotplug offlined=$off onlined=$on"
	for f in "$lev"/*; do
		[ -r "$f" ] && v=$(cat "$f") && [ "$v" != 0 ] && echo "otb: ev $t: ${f##*/} $v"
	done
done
echo "$pvlines"
exit $rc
