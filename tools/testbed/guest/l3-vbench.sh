# SPDX-License-Identifier: GPL-2.0
# Level-3 vbench workload.  Prints the lock mode, the guest's CPU time
# split (/proc/stat, for steal time) before and after, the lock events
# (CONFIG_LOCK_EVENT_COUNTS), and one result line, twice (a kernel message printed at the same
# moment can split one copy; vbench takes the first intact one):
#
#   otb: vb: wl=<workload> <raw numbers as name=value> end
#
# vbench derives the metric from the raw numbers (tools/vbench/vbres.c).
# Environment (from testbed guest --env):
#   VB_WL     locktorture | gmake | perf-futex | perf-messaging
#   VB_SIZE   locktorture, perf-futex: seconds; gmake: source files built;
#             perf-messaging: loops
#   VB_TYPE   locktorture type (default spin_lock)
# The gmake and perf workloads need the workload disk (tools/vbench/
# mkwlimage) as the guest's first virtio disk.
cpus=$(grep -c ^processor /proc/cpuinfo)
lev=/sys/kernel/debug/lock_event_counts
mount -t debugfs none /sys/kernel/debug 2>/dev/null
pvlines=$(dmesg | grep -E 'kvm-guest: PV spinlocks|pvlock: ' | sed 's/^\[[ 0-9.]*\] /otb: dmesg: /')
echo "$pvlines"
fail() { echo "otb: vb: error: $*"; exit 1; }
wl_mount() {
	[ -b /dev/vda ] || fail "no workload disk (/dev/vda)"
	mkdir -p /wl
	mount -t ext2 -o ro /dev/vda /wl || fail "cannot mount the workload disk"
	mount -t proc proc /wl/proc || fail "cannot mount /wl/proc"
	mount -t tmpfs -o size=1g tmpfs /wl/build || fail "cannot mount /wl/build"
	mount -t devtmpfs devtmpfs /wl/dev 2>/dev/null
}
wl() { env -i PATH=/usr/bin:/bin HOME=/build TMPDIR=/build chroot /wl "$@"; }
uptime_cs() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}"; }
stat_line() { echo "otb: vb: $1 $(grep '^cpu ' /proc/stat)"; }

: "${VB_WL:?}" "${VB_SIZE:?}" "${VB_TYPE:=spin_lock}"
case "$VB_WL" in gmake|perf-*) wl_mount ;; esac
[ -w $lev/.reset_counts ] && echo 1 >$lev/.reset_counts
stat_line stat0
case "$VB_WL" in
locktorture)
	dmesg -c >/dev/null
	modprobe locktorture torture_type="$VB_TYPE" nwriters_stress="$cpus" \
		stat_interval=0 || fail "modprobe locktorture failed"
	sleep "$VB_SIZE"
	rmmod locktorture || fail "rmmod locktorture failed"
	stat_line stat1
	w=$(dmesg | grep 'Writes:' | tail -n 1)
	dmesg | grep -E 'Writes:|End of test' | sed 's/^\[[ 0-9.]*\] /otb: lt: /'
	dmesg | grep -q 'End of test: SUCCESS' || fail "locktorture did not report SUCCESS"
	# "Writes:  Total: 123  Max/Min: 45/6 ... Fail: 0"
	set -- $(echo "$w" | sed 's/.*Total: *\([0-9]*\) *Max\/Min: *\([0-9]*\)\/\([0-9]*\).*Fail: *\([0-9]*\).*/\1 \2 \3 \4/')
	res="total=$1 max=$2 min=$3 fail=$4 secs=$VB_SIZE"
	;;
gmake)
	jobs=$((2 * cpus))
	wl sh -c "cp -a /src/. /build/t" || fail "cannot copy the source tree"
	t0=$(uptime_cs)
	wl sh -c "cd /build/t && make -s -j$jobs N=$VB_SIZE" >/tmp/make.log 2>&1 || {
		sed 's/^/otb: make: /' /tmp/make.log | tail -n 20
		fail "the build failed"
	}
	t1=$(uptime_cs)
	stat_line stat1
	got=$(wl sh -c "cd /build/t && ./wl")
	want=$(cat /wl/src/expected)
	[ "$got" = "$want" ] || fail "the built program printed '$got', not '$want'"
	res="builds=1 files=$VB_SIZE jobs=$jobs cs=$((t1 - t0))"
	;;
perf-futex)
	wl perf bench futex hash -r "$VB_SIZE" -t "$cpus" >/tmp/perf.log 2>&1 || {
		sed 's/^/otb: perf: /' /tmp/perf.log | tail -n 20
		fail "perf bench futex hash failed"
	}
	stat_line stat1
	grep Averaged /tmp/perf.log | sed 's/^/otb: perf: /'
	ops=$(sed -n 's/^Averaged \([0-9]*\) operations\/sec.*/\1/p' /tmp/perf.log)
	res="ops=$ops threads=$cpus secs=$VB_SIZE"
	;;
perf-messaging)
	groups=$cpus
	wl perf bench sched messaging -g "$groups" -l "$VB_SIZE" >/tmp/perf.log 2>&1 || {
		sed 's/^/otb: perf: /' /tmp/perf.log | tail -n 20
		fail "perf bench sched messaging failed"
	}
	stat_line stat1
	grep 'Total time' /tmp/perf.log | sed 's/^/otb: perf: /'
	t=$(sed -n 's/^ *Total time: *\([0-9.]*\) .*/\1/p' /tmp/perf.log)
	# every group: 20 senders, each sending loops messages to 20 receivers
	res="msgs=$((groups * 400 * VB_SIZE)) time=$t"
	;;
*)
	fail "unknown workload '$VB_WL'"
	;;
esac
for f in "$lev"/*; do
	[ -r "$f" ] && v=$(cat "$f") && [ "$v" != 0 ] && echo "otb: ev: ${f##*/} $v"
done
echo "otb: vb: wl=$VB_WL $res end"
echo "$pvlines"
echo "otb: vb: wl=$VB_WL $res end"
