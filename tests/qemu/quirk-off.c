/*
 * LD_PRELOAD library for QEMU: disable KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES
 * on every VM that QEMU creates, right after KVM_CREATE_VM and before any
 * vCPU exists, as a QEMU that knows the quirk would.  QEMU's own flow then
 * writes MSR_IA32_ARCH_CAPABILITIES from its CPU model, and KVM checks it.
 * Aborts QEMU when the quirk cannot be disabled.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

typedef int (*ioctl_fn)(int fd, unsigned long request, ...);

static void disable_quirk(ioctl_fn real_ioctl, int kvm_fd, int vm_fd)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_DISABLE_QUIRKS2,
		.args[0] = KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES,
	};
	int quirks;

	quirks = real_ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2);
	if (quirks < 0 || !(quirks & KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES)) {
		fprintf(stderr, "quirk-off: KVM does not offer KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES (quirks 0x%x)\n",
			quirks);
		abort();
	}
	if (real_ioctl(vm_fd, KVM_ENABLE_CAP, &cap)) {
		perror("quirk-off: KVM_ENABLE_CAP(KVM_CAP_DISABLE_QUIRKS2)");
		abort();
	}
	fprintf(stderr, "quirk-off: disabled KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES\n");
}

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_fn real_ioctl;
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!real_ioctl)
		real_ioctl = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	r = real_ioctl(fd, request, arg);
	if (request == KVM_CREATE_VM && r >= 0)
		disable_quirk(real_ioctl, fd, r);
	return r;
}
