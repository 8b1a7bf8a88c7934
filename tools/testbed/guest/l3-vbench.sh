# SPDX-License-Identifier: GPL-2.0
# Level-3 vbench workload.  Prints the lock mode, the guest's CPU time
# split (/proc/stat, for steal time) before and after, the lock events
# (CONFIG_LOCK_EVENT_COUNTS), and one result line, twice (a kernel message printed at the same
# moment can split one copy; vbench takes the first intact one):
#
#   otb: vb: wl=<workload> <raw numbers as name=value or name=v1,v2,...> end
#
# The workload runs VB_WARM warm-up intervals, then VB_IV measured ones;
# the lists hold one number per measured interval.  vbench derives the
# metric from the raw numbers (tools/vbench/vbres.c).
# Environment (from testbed guest --env):
#   VB_WL     locktorture | gmake | perf-futex | perf-messaging
#   VB_SIZE   one interval: locktorture, perf-futex: seconds; gmake: source
#             files built; perf-messaging: loops
#   VB_IV     measured intervals (default 1)
#   VB_WARM   warm-up intervals, not measured (default 0)
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

: "${VB_WL:?}" "${VB_SIZE:?}" "${VB_TYPE:=spin_lock}" "${VB_IV:=1}" "${VB_WARM:=0}"
runs=$((VB_WARM + VB_IV))
# the measured intervals' numbers of a list of one per interval, comma-separated
measured() { echo "$1" | tr ' ' '\n' | grep . | tail -n "$VB_IV" | paste -sd, -; }
case "$VB_WL" in gmake|perf-*) wl_mount ;; esac
[ -w $lev/.reset_counts ] && echo 1 >$lev/.reset_counts
stat_line stat0
case "$VB_WL" in
locktorture)
	# stat_interval prints cumulative totals every VB_SIZE seconds; the
	# intervals run from "Start of test" to each print (dmesg timestamps)
	dmesg -c >/dev/null
	modprobe locktorture torture_type="$VB_TYPE" nwriters_stress="$cpus" \
		stat_interval="$VB_SIZE" stutter=0 || fail "modprobe locktorture failed"
	waited=0
	while [ "$(dmesg | grep -c 'Writes:')" -lt "$runs" ]; do
		[ "$waited" -gt $((3 * runs * VB_SIZE + 60)) ] &&
			fail "locktorture printed no statistics for ${waited} s"
		sleep 1
		waited=$((waited + 1))
	done
	lines=$(dmesg | grep -E 'Start of test|Writes:' | head -n $((runs + 1)))
	rmmod locktorture || fail "rmmod locktorture failed"
	stat_line stat1
	w=$(dmesg | grep 'Writes:' | tail -n 1)
	echo "$lines" | sed -E 's/^(\[[ 0-9.]*\] )?/otb: lt: /'
	dmesg | grep -E 'End of test' | sed -E 's/^(\[[ 0-9.]*\] )?/otb: lt: /'
	dmesg | grep -q 'End of test: SUCCESS' || fail "locktorture did not report SUCCESS"
	# per interval: acquisitions and seconds between consecutive lines
	set -- $(echo "$lines" | awk '
		{ t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
		  n = 0; if (match($0, /Total: *[0-9]+/)) { n = substr($0, RSTART, RLENGTH); sub(/Total: */, "", n) }
		  if (NR > 1) { dn = dn " " (n - pn); dt = dt " " sprintf("%.6f", t - pt) }
		  pn = n; pt = t }
		END { gsub(/^ /, "", dn); gsub(/^ /, "", dt); gsub(/ /, ",", dn); gsub(/ /, ",", dt); print dn, dt }')
	ivn=$(measured "$(echo "$1" | tr , ' ')")
	ivt=$(measured "$(echo "$2" | tr , ' ')")
	# "Writes:  Total: 123  Max/Min: 45/6 ... Fail: 0" of the whole run
	set -- $(echo "$w" | sed 's/.*Max\/Min: *\([0-9]*\)\/\([0-9]*\).*Fail: *\([0-9]*\).*/\1 \2 \3/')
	res="max=$1 min=$2 fail=$3 secs=$VB_SIZE ivn=$ivn ivt=$ivt"
	;;
gmake)
	# every interval a build from a fresh copy of the tree
	jobs=$((2 * cpus))
	want=$(cat /wl/src/expected)
	cs=
	for i in $(seq "$runs"); do
		wl sh -c "rm -rf /build/t && cp -a /src/. /build/t" ||
			fail "cannot copy the source tree"
		t0=$(uptime_cs)
		wl sh -c "cd /build/t && make -s -j$jobs N=$VB_SIZE" >/tmp/make.log 2>&1 || {
			sed 's/^/otb: make: /' /tmp/make.log | tail -n 20
			fail "the build failed"
		}
		t1=$(uptime_cs)
		got=$(wl sh -c "cd /build/t && ./wl")
		[ "$got" = "$want" ] || fail "the built program printed '$got', not '$want'"
		cs="$cs $((t1 - t0))"
	done
	stat_line stat1
	res="builds=$VB_IV files=$VB_SIZE jobs=$jobs cs=$(measured "$cs")"
	;;
perf-futex)
	ops=
	for i in $(seq "$runs"); do
		wl perf bench futex hash -r "$VB_SIZE" -t "$cpus" >/tmp/perf.log 2>&1 || {
			sed 's/^/otb: perf: /' /tmp/perf.log | tail -n 20
			fail "perf bench futex hash failed"
		}
		grep Averaged /tmp/perf.log | sed 's/^/otb: perf: /'
		ops="$ops $(sed -n 's/^Averaged \([0-9]*\) operations\/sec.*/\1/p' /tmp/perf.log)"
	done
	stat_line stat1
	res="threads=$cpus secs=$VB_SIZE ops=$(measured "$ops")"
	;;
uncontended)
	# spin_lock()+spin_unlock() on one CPU, nothing else: the fast paths'
	# cost (oticket_ubench: best of 9 rounds, picoseconds per pair)
	ops=
	for i in $(seq "$runs"); do
		modprobe oticket_ubench loops=$((VB_SIZE * 1000000)) rounds=9 ||
			fail "modprobe oticket_ubench failed"
		l=$(dmesg | grep 'oticket_ubench: mode=' | tail -n 1)
		rmmod oticket_ubench || fail "rmmod oticket_ubench failed"
		echo "$l" | sed 's/^\[[ 0-9.]*\] /otb: ub: /'
		ps=$(echo "$l" | sed -n 's/.* best_ps=\([0-9]*\).*/\1/p')
		[ -n "$ps" ] && [ "$ps" -gt 0 ] || fail "oticket_ubench printed no result"
		ops="$ops $(awk -v p="$ps" 'BEGIN { printf "%.4f", 1e6 / p }')"
	done
	stat_line stat1
	res="loops=$((VB_SIZE * 1000000)) ops=$(measured "$ops")"
	;;
perf-messaging)
	groups=$cpus
	t=
	for i in $(seq "$runs"); do
		wl perf bench sched messaging -g "$groups" -l "$VB_SIZE" >/tmp/perf.log 2>&1 || {
			sed 's/^/otb: perf: /' /tmp/perf.log | tail -n 20
			fail "perf bench sched messaging failed"
		}
		grep 'Total time' /tmp/perf.log | sed 's/^/otb: perf: /'
		t="$t $(sed -n 's/^ *Total time: *\([0-9.]*\) .*/\1/p' /tmp/perf.log)"
	done
	stat_line stat1
	# every group: 20 senders, each sending loops messages to 20 receivers
	res="msgs=$((groups * 400 * VB_SIZE)) time=$(measured "$t")"
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
