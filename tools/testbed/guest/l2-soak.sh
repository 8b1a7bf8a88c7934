# SPDX-License-Identifier: GPL-2.0
# Level-2 part of the testbed soak: start and stop level-3 guests one after
# another, no retries, and report each start's outcome.
#   SOAK_STARTS  number of level-3 starts (default 4)
#   SOAK_CPU     level-3 CPU model (default: testbed's, kvm64 without XSAVE)
#   SOAK_VCPUS   level-3 vCPUs (default 2)
echo "otb: kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested) npt=$(cat /sys/module/kvm_amd/parameters/npt)"
i=0
while [ "$i" -lt "${SOAK_STARTS:-4}" ]; do
	testbed guest --retries 0 --boot-timeout "${SOAK_BOOT_TIMEOUT:-60}" --timeout 60 \
		--vm "soak$i" --vcpus "${SOAK_VCPUS:-2}" \
		${SOAK_CPU:+--cpu "$SOAK_CPU"} \
		--script "$OTB_LIB"/l3-smoke.sh > /tmp/soak.out
	grep -E '@@OTB-GUEST |soak[0-9]*\| .*(Oops|BUG|panic|XSAVE|stall)' /tmp/soak.out
	i=$((i + 1))
done
exit 0
