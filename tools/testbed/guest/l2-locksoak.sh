# SPDX-License-Identifier: GPL-2.0
# Level-2 part of "make lock-soak", the release check of the slow paths:
# every mode, three lock types, 1x/2x/4x over-commit, SOAK_SECS per type
# (default 70: over 10 minutes per mode), and CPU hotplug for the
# opportunistic modes.  Graded by tools/testing/otest.c --lock-soak.
. "$OTB_LIB"/l2-lib.sh
g="testbed guest --retries ${OTB_RETRIES:-2}"
secs=${SOAK_SECS:-70}
for m in ${SOAK_MODES:-pvqspinlock qspinlock tas pvticket oticket oqspin}; do
	for v in 2 4 8; do
		sec "soak-$m-$v" || continue
		$g --vm "soak-$m-$v" --vcpus "$v" --append "pvlock=$m" \
			--timeout $((secs * 3 + 300)) --env LT_SECS="$secs" \
			--env LT_TYPES="spin_lock spin_lock_irq raw_spin_lock" \
			--script "$OTB_LIB"/l3-locktorture.sh
		rc $?
	done
	case $m in oticket|oqspin)
		if sec "soak-$m-hotplug"; then
			$g --vm "soak-$m-hp" --vcpus 4 --append "pvlock=$m" \
				--timeout $((secs + 300)) --env LT_SECS="$secs" \
				--env LT_ARGS="onoff_interval=1 onoff_holdoff=1 verbose=2" \
				--script "$OTB_LIB"/l3-locktorture.sh
			rc $?
		fi
	esac
done
