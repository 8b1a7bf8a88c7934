# SPDX-License-Identifier: GPL-2.0
# Level-2 part of "make test": one level-2 boot runs every check below; the
# host side (tools/testing/otest.c) grades each section separately.
#   @@SEC <name>  starts a section, @@RC <n>@@ ends it with a status.
# Sections resume after a frozen level 2 (l2-lib.sh): each one sets up
# what it needs.
. "$OTB_LIB"/l2-lib.sh
g="testbed guest --retries ${OTB_RETRIES:-2}"
# level-3 CPU: testbed's default (TB_L3_CPU); test-and-set drops PV unhalt

if sec l2-host; then
	lsmod | grep -E '^kvm'
	ls -l /dev/kvm
	testbed kvm-check
	rc $?
fi

if sec kvm_pv_test; then
	/usr/bin/kvm_pv_test
	rc $?
fi

# Without kvm_oticket our numbers are unknown to KVM: the selftest skips (4).
if sec hook-absent; then
	/usr/bin/oticket_test
	rc $?
fi

# Upstream switches, and pvlock= with a bad value: which lock runs.
if sec smoke-default; then
	$g --vm smoke-pv --vcpus 2 --script "$OTB_LIB"/l3-smoke.sh
	rc $?
fi

if sec smoke-nopvspin; then
	$g --vm smoke-native --vcpus 2 --append nopvspin --script "$OTB_LIB"/l3-smoke.sh
	rc $?
fi

if sec smoke-nounhalt; then
	$g --vm smoke-tas --vcpus 2 --cpu-flags kvm-pv-unhalt=off --script "$OTB_LIB"/l3-smoke.sh
	rc $?
fi

if sec smoke-badmode; then
	$g --vm smoke-bad --vcpus 2 --append pvlock=bogus --script "$OTB_LIB"/l3-smoke.sh
	rc $?
fi

if sec kunit; then
	$g --vm kunit --vcpus 4 --append pvlock=oticket --env KUNIT=1 --env LT_TYPES=none \
		--script "$OTB_LIB"/l3-locktorture.sh
	rc $?
fi

# Every mode at 2x over-commit (4 vCPUs on 2), three lock types.
secs=${OTB_LT_SECS:-4}
for m in pvqspinlock qspinlock tas pvticket oticket oqspin; do
	if sec torture-$m; then
		$g --vm "lt-$m" --vcpus 4 --append "pvlock=$m" --env LT_SECS="$secs" \
			--env LT_TYPES="spin_lock spin_lock_irq raw_spin_lock" \
			--script "$OTB_LIB"/l3-locktorture.sh
		rc $?
	fi
done

# The opportunistic modes at 4x over-commit, and under CPU hotplug.
for m in oticket oqspin; do
	if sec torture4x-$m; then
		$g --vm "lt4x-$m" --vcpus 8 --append "pvlock=$m" --env LT_SECS="$secs" \
			--script "$OTB_LIB"/l3-locktorture.sh
		rc $?
	fi

	if sec hotplug-$m; then
		$g --vm "hp-$m" --vcpus 4 --append "pvlock=$m" --env LT_SECS=12 \
			--env LT_ARGS="onoff_interval=1 onoff_holdoff=1 verbose=2" \
			--script "$OTB_LIB"/l3-locktorture.sh
		rc $?
	fi
done

# --- with the host hook (kvm_oticket.ko) ---------------------------------------
kot=/sys/kernel/debug/kvm_oticket
p=/sys/module/kvm_oticket/parameters
kot_stats() {	# $1: label
	sed -n "s/^total /otb: kot $1: /p" $kot/stats
}
kot_up() {	# a resumed suite starts here without the module
	lsmod | grep -q '^kvm_oticket' || modprobe kvm_oticket
}

if sec hook-selftest; then
	modprobe kvm_oticket && dmesg | grep 'kvm_oticket: serving' &&
		/usr/bin/oticket_test
	rc $?
fi

# Bad parameters are refused at write time and the old value stays.
if sec hook-params; then
	kot_up
	r=0
	for bad in "yield_tries=17" "yield_tries=-1" "poll_ns=2000000" "boost_nice=1" \
		   "boost_nice=-21" "coyield=maybe" "rr_yield=2x" "yield_tries=x" \
		   "boost_us=5" "boost_us=2000000"; do
		if echo "${bad#*=}" > "$p/${bad%%=*}" 2>/dev/null; then
			echo "otb: param $bad accepted"; r=1
		else
			echo "otb: param $bad refused"
		fi
	done
	echo 5 > $p/yield_tries && [ "$(cat $p/yield_tries)" = 5 ] && echo "otb: param yield_tries=5 taken" || r=1
	echo 3 > $p/yield_tries
	# ... and at load time: the module does not load with one
	rmmod kvm_oticket || r=1
	if modprobe kvm_oticket yield_tries=99 2>/dev/null; then
		echo "otb: load with yield_tries=99 accepted"; r=1
	else
		echo "otb: load with yield_tries=99 refused"
	fi
	lsmod | grep -q '^kvm_oticket' && rmmod kvm_oticket
	modprobe kvm_oticket || r=1
	rc $r
fi

# Both opportunistic modes with host cooperation: the guest uses the hook,
# the host counts its hypercalls.
for m in oticket oqspin; do
	if sec hook-$m; then
		kot_up && echo 1 > $kot/reset
		$g --vm "hk-$m" --vcpus 4 --append "pvlock=$m" --env LT_SECS="$secs" \
			--env LT_TYPES="spin_lock raw_spin_lock" \
			--script "$OTB_LIB"/l3-locktorture.sh
		r=$?
		kot_stats "$m"
		rc $r
	fi
done

# Two guests at once with the round-robin yield, co-yield and the priority
# boost on (all off by default): the paths that reach into other vCPUs,
# another VM and another thread's priority.
if sec hook-coyield; then
	kot_up && echo 1 > $kot/reset
	echo 1 > $p/rr_yield
	echo 1 > $p/coyield
	echo 1 > $p/boost
	$g --vm hk-co-a --vcpus 2 --append pvlock=oticket --env LT_SECS="$secs" \
		--script "$OTB_LIB"/l3-locktorture.sh \
	   --vm hk-co-b --vcpus 2 --append pvlock=oqspin --env LT_SECS="$secs" \
		--script "$OTB_LIB"/l3-locktorture.sh
	r=$?
	echo 0 > $p/rr_yield
	echo 0 > $p/coyield
	echo 0 > $p/boost
	kot_stats coyield
	rc $r
fi

# Unload and reload while a guest runs on the hook: the guest loses the
# hook mid-run, falls back to halt and kick, and locktorture still passes.
if sec hook-reload; then
	kot_up && echo 1 > $kot/reset
	$g --vm hk-reload --vcpus 4 --append pvlock=oticket --env LT_SECS=24 \
		--script "$OTB_LIB"/l3-locktorture.sh &
	gpid=$!
	r=0
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
		# past the boot's few waits: locktorture is running
		w=$(sed -n 's/^total .* hc_wait=\([0-9]*\).*/\1/p' $kot/stats)
		[ "${w:-0}" -ge 100 ] && break
		sleep 2
	done
	kot_stats reload-before
	for i in 1 2 3 4 5; do rmmod kvm_oticket && break; sleep 1; done
	lsmod | grep -q '^kvm_oticket' && { echo "otb: rmmod kvm_oticket failed"; r=1; }
	echo "otb: unloaded"
	sleep 4
	modprobe kvm_oticket || r=1
	echo "otb: reloaded"
	wait $gpid || r=1
	rc $r
fi
