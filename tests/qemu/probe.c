/*
 * Helper of the guests that QEMU boots inside the test VM.
 *
 *   probe arch-caps   print the guest's MSR_IA32_ARCH_CAPABILITIES
 *   probe hold        give PKRU and YMM15 distinctive values, then check
 *                     them in a loop forever, printing "@@INNER-ALIVE" now
 *                     and then and "@@INNER-BAD" (and exiting) on a change
 *
 * "hold" is what a guest save/restore must not disturb: the values live in
 * the vCPU's registers while the loop runs.  Inside the loop nothing may
 * touch vector registers, so it is built with -mgeneral-regs-only and
 * prints through syscall(), never stdio.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MSR_IA32_ARCH_CAPABILITIES	0x10a
#define PKRU_HELD			0x12345670u	/* key 0 stays accessible */
#define ALIVE_EVERY			(1ul << 22)

static const uint8_t ymm_held[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
	0x5a, 0xa5, 0x5a, 0xa5, 0x3c, 0xc3, 0x3c, 0xc3,
	0x0f, 0xf0, 0x0f, 0xf0, 0x66, 0x99, 0x66, 0x99,
};

static void say(const char *s)
{
	syscall(SYS_write, 1, s, strlen(s));
}

static int arch_caps(void)
{
	uint64_t val;
	int fd;

	fd = open("/dev/cpu/0/msr", O_RDONLY);
	if (fd < 0) {
		printf("@@INNER-ARCH-CAPS none (no /dev/cpu/0/msr)\n");
		return 1;
	}
	if (pread(fd, &val, sizeof(val), MSR_IA32_ARCH_CAPABILITIES) != sizeof(val))
		printf("@@INNER-ARCH-CAPS none (RDMSR faults)\n");
	else
		printf("@@INNER-ARCH-CAPS 0x%llx\n", (unsigned long long)val);
	close(fd);
	return 0;
}

static uint32_t rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static void wrpkru(uint32_t val)
{
	asm volatile(".byte 0x0f, 0x01, 0xef" : : "a"(val), "c"(0), "d"(0));
}

static int hold(void)
{
	static const char alive[] = "@@INNER-ALIVE\n";
	unsigned int eax, ebx, ecx, edx;
	uint8_t ymm[32];
	unsigned long i;
	uint32_t pkru;
	char msg[160];
	int n;

	__cpuid_count(7, 0, eax, ebx, ecx, edx);
	if (!(ecx & bit_OSPKE)) {
		say("@@INNER-BAD no OSPKE: PKRU is not enabled in this guest\n");
		return 1;
	}
	__cpuid(1, eax, ebx, ecx, edx);
	if (!(ecx & bit_AVX) || !(ecx & bit_OSXSAVE)) {
		say("@@INNER-BAD no AVX: YMM state is not enabled in this guest\n");
		return 1;
	}

	snprintf(msg, sizeof(msg), "@@INNER-HOLD pkru=0x%x and a pattern in ymm15\n", PKRU_HELD);
	say(msg);
	wrpkru(PKRU_HELD);
	/* No clobber: this file has no vector registers of its own. */
	asm volatile("vmovdqu %0, %%ymm15" : : "m"(ymm_held));

	for (i = 1; ; i++) {
		pkru = rdpkru();
		asm volatile("vmovdqu %%ymm15, %0" : "=m"(ymm));
		for (n = 0; n < 32 && ymm[n] == ymm_held[n]; n++)
			;
		if (pkru != PKRU_HELD || n < 32)
			break;
		/* Not say(): an AVX2 strlen() would clear the upper YMM halves. */
		if (!(i % ALIVE_EVERY))
			syscall(SYS_write, 1, alive, sizeof(alive) - 1);
	}
	snprintf(msg, sizeof(msg), "@@INNER-BAD pkru=0x%x (held 0x%x), ymm15 byte %d %s\n",
		 pkru, PKRU_HELD, n, n < 32 ? "changed" : "intact");
	say(msg);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "arch-caps"))
		return arch_caps();
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	fprintf(stderr, "usage: %s arch-caps|hold\n", argv[0]);
	return 2;
}
