// SPDX-License-Identifier: MIT OR Apache-2.0
//! What a VMM built on rust-vmm's kvm-ioctls (Firecracker, Cloud Hypervisor)
//! does with the series' uAPI, each result checked the way such a VMM relies
//! on it:
//!
//! - disable KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES and write the
//!   ARCH_CAPABILITIES value KVM reports (as a VMM passes the host's value
//!   through); a "not affected" claim KVM does not report must be refused
//!   and leave the value as it was, weakness reports and unknown bits must
//!   pass;
//! - save and restore a guest's PKRU with KVM_GET_XSAVE/KVM_SET_XSAVE, as a
//!   snapshot does, after a restore from an area without PKRU and after
//!   KVM_RUN from a VMM thread whose own PKRU is 0 (the two triggers of the
//!   series' patch 6; the second needs a CPU that tracks XINUSE[PKRU]);
//! - KVM_SET_CPUID2 with an entry KVM refuses, before and after KVM_RUN, and
//!   the CPUID KVM_GET_CPUID2 reads unchanged; the same CPUID again after
//!   KVM_RUN must still be accepted (QEMU sets it again on CPU hotplug).
//!
//! KTAP on standard output; exit 0 when every check passed, 1 when one
//! failed, 4 (skip) when none failed but one could not run.

use std::arch::asm;
use std::arch::x86_64::__cpuid_count;
use std::process::exit;

use kvm_bindings::{
    CpuId, KVM_MAX_CPUID_ENTRIES, Msrs, kvm_cpuid_entry2, kvm_enable_cap, kvm_msr_entry,
    kvm_userspace_memory_region, kvm_xsave,
};
use kvm_ioctls::{Kvm, VcpuExit, VcpuFd, VmFd};

// KVM_CAP_DISABLE_QUIRKS2 and KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES, from
// the series' own uAPI headers (kvm-bindings ships pregenerated bindings).
include!(env!("KVMT_UAPI_RS"));

const MSR_IA32_ARCH_CAPABILITIES: u32 = 0x10a;

// The bits that claim a property the guest relies on: what the quirk, once
// disabled, checks against the value KVM reports.
const CLAIMS: [(&str, u64); 17] = [
    ("RDCL_NO", 1 << 0),
    ("IBRS_ALL", 1 << 1),
    ("SKIP_VMENTRY_L1DFLUSH", 1 << 3),
    ("SSB_NO", 1 << 4),
    ("MDS_NO", 1 << 5),
    ("PSCHANGE_MC_NO", 1 << 6),
    ("TAA_NO", 1 << 8),
    ("SBDR_SSDP_NO", 1 << 13),
    ("FBSDP_NO", 1 << 14),
    ("PSDP_NO", 1 << 15),
    ("FB_CLEAR", 1 << 17),
    ("BHI_NO", 1 << 20),
    ("PBRSB_NO", 1 << 24),
    ("GDS_NO", 1 << 26),
    ("RFDS_NO", 1 << 27),
    ("RFDS_CLEAR", 1 << 28),
    ("ITS_NO", 1 << 62),
];
// Taken as they are: weakness reports (RSBA, RRSBA) and a bit KVM does
// not know.
const TAKEN: [(&str, u64); 3] = [("RSBA", 1 << 2), ("RRSBA", 1 << 19), ("unknown bit 40", 1 << 40)];

const XFEATURE_PKRU: u32 = 9;
const XSTATE_BV: usize = 512 / 4;
const GUEST_PKRU: u32 = 0x0000_00c4;

const MEM_SIZE: usize = 0x10000;
const CODE: u64 = 0x1000;

struct Ktap {
    n: u32,
    failed: u32,
    skipped: u32,
}

impl Ktap {
    fn check(&mut self, ok: bool, what: &str, detail: String) {
        self.n += 1;
        if !ok {
            self.failed += 1;
            println!("# {detail}");
        }
        println!("{} {} {what}", if ok { "ok" } else { "not ok" }, self.n);
    }

    fn skip(&mut self, what: &str, why: &str) {
        self.n += 1;
        self.skipped += 1;
        println!("ok {} {what} # SKIP {why}", self.n);
    }
}

fn die(what: &str, e: impl std::fmt::Debug) -> ! {
    println!("Bail out! {what}: {e:?}");
    exit(1);
}

fn errno_of<T>(r: Result<T, vmm_sys_util::errno::Error>) -> i32 {
    match r {
        Ok(_) => 0,
        Err(e) => e.errno(),
    }
}

fn entry(cpuid: &CpuId, function: u32, index: u32) -> Option<kvm_cpuid_entry2> {
    cpuid
        .as_slice()
        .iter()
        .find(|e| e.function == function && e.index == index)
        .copied()
}

fn read_msr(vcpu: &VcpuFd, index: u32) -> u64 {
    let mut msrs = Msrs::from_entries(&[kvm_msr_entry { index, ..Default::default() }])
        .unwrap_or_else(|e| die("Msrs", e));
    match vcpu.get_msrs(&mut msrs) {
        Ok(1) => msrs.as_slice()[0].data,
        r => die("KVM_GET_MSRS", r),
    }
}

fn write_msr(vcpu: &VcpuFd, index: u32, data: u64) -> usize {
    let msrs = Msrs::from_entries(&[kvm_msr_entry { index, data, ..Default::default() }])
        .unwrap_or_else(|e| die("Msrs", e));
    vcpu.set_msrs(&msrs).unwrap_or_else(|e| die("KVM_SET_MSRS", e))
}

// Host-initiated write of ARCH_CAPABILITIES: the MSRs KVM_SET_MSRS wrote
// and the value the vCPU has after it.
fn write_arch_caps(vcpu: &VcpuFd, data: u64) -> (usize, u64) {
    let n = write_msr(vcpu, MSR_IA32_ARCH_CAPABILITIES, data);
    (n, read_msr(vcpu, MSR_IA32_ARCH_CAPABILITIES))
}

fn get_cpuid(vcpu: &VcpuFd) -> CpuId {
    vcpu.get_cpuid2(KVM_MAX_CPUID_ENTRIES)
        .unwrap_or_else(|e| die("KVM_GET_CPUID2", e))
}

fn rdpkru() -> u32 {
    let pkru: u32;
    // SAFETY: RDPKRU reads a register; the caller checked CR4.PKE (OSPKE).
    unsafe { asm!("rdpkru", out("eax") pkru, in("ecx") 0, out("edx") _, options(nomem, nostack)) };
    pkru
}

fn wrpkru(pkru: u32) {
    // SAFETY: ECX and EDX are 0; a PKRU of 0 only widens this thread's
    // access, and the caller puts its own value back.
    unsafe { asm!("wrpkru", in("eax") pkru, in("ecx") 0, in("edx") 0, options(nostack)) };
}

fn xsave_pkru(xs: &kvm_xsave, offset: usize) -> (bool, u32) {
    (xs.region[XSTATE_BV] & (1 << XFEATURE_PKRU) != 0, xs.region[offset / 4])
}

// A restore followed by the next save: KVM_SET_XSAVE, then KVM_GET_XSAVE.
fn restore_and_save(vcpu: &VcpuFd, xs: &kvm_xsave) -> kvm_xsave {
    // SAFETY: KVM reads guest_fpu.uabi_size bytes, 4096 here: the process
    // never asks for dynamic xfeatures (ARCH_REQ_XCOMP_GUEST_PERM).
    unsafe { vcpu.set_xsave(xs) }.unwrap_or_else(|e| die("KVM_SET_XSAVE", e));
    vcpu.get_xsave().unwrap_or_else(|e| die("KVM_GET_XSAVE", e))
}

fn check_guest_pkru(t: &mut Ktap, xs: &kvm_xsave, offset: usize, what: &str) {
    let (bv, val) = xsave_pkru(xs, offset);
    t.check(
        bv && val == GUEST_PKRU,
        what,
        format!("XSTATE_BV[PKRU] {bv}, PKRU {val:#x}, wanted {GUEST_PKRU:#x}"),
    );
}

// A real-mode guest that halts at CODE.
fn setup_guest(vm: &VmFd, vcpu: &VcpuFd) {
    // SAFETY: an anonymous private mapping, never unmapped while the VM lives.
    let mem = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            MEM_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if mem == libc::MAP_FAILED {
        die("mmap", std::io::Error::last_os_error());
    }
    // SAFETY: CODE is inside the mapping.
    unsafe { *(mem as *mut u8).add(CODE as usize) = 0xf4 };
    let region = kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: MEM_SIZE as u64,
        userspace_addr: mem as u64,
    };
    // SAFETY: the region is the mapping above.
    unsafe { vm.set_user_memory_region(region) }
        .unwrap_or_else(|e| die("KVM_SET_USER_MEMORY_REGION", e));
    let mut sregs = vcpu.get_sregs().unwrap_or_else(|e| die("KVM_GET_SREGS", e));
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    vcpu.set_sregs(&sregs).unwrap_or_else(|e| die("KVM_SET_SREGS", e));
    let mut regs = vcpu.get_regs().unwrap_or_else(|e| die("KVM_GET_REGS", e));
    regs.rip = CODE;
    regs.rflags = 2;
    vcpu.set_regs(&regs).unwrap_or_else(|e| die("KVM_SET_REGS", e));
}

fn run_to_hlt(vcpu: &mut VcpuFd) {
    match vcpu.run() {
        Ok(VcpuExit::Hlt) => {}
        Ok(exit) => die("KVM_RUN ended with another exit than HLT", format!("{exit:?}")),
        Err(e) => die("KVM_RUN", e),
    }
}

// Before any vCPU exists, as a VMM sets up its VM.  Returns whether the
// quirk is off.
fn disable_quirk(t: &mut Ktap, kvm: &Kvm, vm: &VmFd) -> bool {
    let quirks = kvm.check_extension_raw(KVM_CAP_DISABLE_QUIRKS2 as _) as u64;
    t.check(
        quirks & KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES != 0,
        "KVM_CAP_DISABLE_QUIRKS2 lists KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES",
        format!("KVM_CAP_DISABLE_QUIRKS2 is {quirks:#x}"),
    );
    if quirks & KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES == 0 {
        return false;
    }
    let cap = kvm_enable_cap {
        cap: KVM_CAP_DISABLE_QUIRKS2 as u32,
        args: [KVM_X86_QUIRK_UNCHECKED_ARCH_CAPABILITIES, 0, 0, 0],
        ..Default::default()
    };
    let err = errno_of(vm.enable_cap(&cap));
    t.check(
        err == 0,
        "KVM_ENABLE_CAP(KVM_CAP_DISABLE_QUIRKS2) disables the quirk",
        format!("errno {err}"),
    );
    err == 0
}

fn arch_capabilities(t: &mut Ktap, kvm: &Kvm, vcpu: &VcpuFd) {
    let features = kvm
        .get_msr_feature_index_list()
        .unwrap_or_else(|e| die("KVM_GET_MSR_FEATURE_INDEX_LIST", e));
    if !features.as_slice().contains(&MSR_IA32_ARCH_CAPABILITIES) {
        t.skip("ARCH_CAPABILITIES", "KVM does not list it as a feature MSR");
        return;
    }
    let mut msrs = Msrs::from_entries(&[kvm_msr_entry {
        index: MSR_IA32_ARCH_CAPABILITIES,
        ..Default::default()
    }])
    .unwrap_or_else(|e| die("Msrs", e));
    match kvm.get_msrs(&mut msrs) {
        Ok(1) => {}
        r => die("KVM_GET_MSRS on /dev/kvm", r),
    }
    let reported = msrs.as_slice()[0].data;
    println!("# KVM reports ARCH_CAPABILITIES {reported:#x}");

    let (n, now) = write_arch_caps(vcpu, reported);
    t.check(
        n == 1 && now == reported,
        "the value KVM reports is written",
        format!("KVM_SET_MSRS wrote {n} MSRs, the vCPU has {now:#x}"),
    );

    for (name, bit) in CLAIMS {
        if reported & bit != 0 {
            continue;
        }
        let (n, now) = write_arch_caps(vcpu, reported | bit);
        t.check(
            n == 0 && now == reported,
            &format!("{name}, a claim KVM does not report, is refused and the value stays"),
            format!("KVM_SET_MSRS wrote {n} MSRs, the vCPU has {now:#x}"),
        );
    }

    for (name, bit) in TAKEN {
        if reported & bit != 0 {
            t.skip(&format!("{name} is taken"), "KVM reports it");
            continue;
        }
        let (n, now) = write_arch_caps(vcpu, reported | bit);
        t.check(
            n == 1 && now == reported | bit,
            &format!("{name}, not reported by KVM and not a claim, is taken"),
            format!("KVM_SET_MSRS wrote {n} MSRs, the vCPU has {now:#x}"),
        );
        write_msr(vcpu, MSR_IA32_ARCH_CAPABILITIES, reported);
    }
}

fn cpuid_refused_before_run(t: &mut Ktap, vcpu: &VcpuFd) {
    let before = get_cpuid(vcpu);
    let mut bad = before.clone();
    let Some(e) = bad.as_mut_slice().iter_mut().find(|e| e.function == 0x8000_0008) else {
        t.skip("a refused CPUID before KVM_RUN", "no leaf 0x80000008");
        return;
    };
    // A linear address width of 40 bits: KVM takes 0, 48 and 57 only.
    e.eax = (e.eax & !0xff00) | (40 << 8);
    let err = errno_of(vcpu.set_cpuid2(&bad));
    let after = get_cpuid(vcpu);
    t.check(
        err == libc::EINVAL && after.as_slice() == before.as_slice(),
        "KVM_SET_CPUID2 with a 40-bit linear address width fails with EINVAL, CPUID unchanged",
        format!("errno {err}, CPUID changed: {}", after.as_slice() != before.as_slice()),
    );
}

fn cpuid_after_run(t: &mut Ktap, vcpu: &VcpuFd) {
    let before = get_cpuid(vcpu);
    let mut changed = before.clone();
    let Some(e) = changed.as_mut_slice().iter_mut().find(|e| e.function == 1) else {
        die("CPUID", "no leaf 1");
    };
    e.eax ^= 1; // another stepping
    let err = errno_of(vcpu.set_cpuid2(&changed));
    let after = get_cpuid(vcpu);
    t.check(
        err == libc::EINVAL && after.as_slice() == before.as_slice(),
        "KVM_SET_CPUID2 with another stepping after KVM_RUN fails with EINVAL, CPUID unchanged",
        format!("errno {err}, CPUID changed: {}", after.as_slice() != before.as_slice()),
    );
    let err = errno_of(vcpu.set_cpuid2(&before));
    t.check(
        err == 0,
        "KVM_SET_CPUID2 with the same CPUID after KVM_RUN succeeds",
        format!("errno {err}"),
    );
}

// Returns false when the guest has no PKRU (and each check was skipped).
fn pkru(t: &mut Ktap, vcpu: &mut VcpuFd, cpuid: &CpuId) -> bool {
    let pku = entry(cpuid, 7, 0).is_some_and(|e| e.ecx & (1 << 3) != 0);
    let xcr0 = entry(cpuid, 0xd, 0).map_or(0, |e| e.eax);
    let Some(offset) = entry(cpuid, 0xd, XFEATURE_PKRU).map(|e| e.ebx as usize) else {
        t.skip("PKRU in KVM_GET_XSAVE", "KVM does not support PKRU in XCR0 here");
        return false;
    };
    if !pku || xcr0 & (1 << XFEATURE_PKRU) == 0 || offset == 0 || offset + 4 > 4096 {
        t.skip("PKRU in KVM_GET_XSAVE", "KVM does not support PKRU in XCR0 here");
        return false;
    }

    let mut xs = vcpu.get_xsave().unwrap_or_else(|e| die("KVM_GET_XSAVE", e));
    xs.region[XSTATE_BV] |= 1 << XFEATURE_PKRU;
    xs.region[offset / 4] = GUEST_PKRU;
    let xs = restore_and_save(vcpu, &xs);
    check_guest_pkru(t, &xs, offset, "KVM_GET_XSAVE returns the PKRU KVM_SET_XSAVE wrote");

    // A restore from an area without PKRU (XSTATE_BV[PKRU] clear, as saved
    // by a source whose guest had PKRU in its init state) leaves the PKRU
    // KVM has, and the next save must still carry it.
    let mut partial = xs;
    partial.region[XSTATE_BV] &= !(1 << XFEATURE_PKRU);
    partial.region[offset / 4] = 0;
    let xs = restore_and_save(vcpu, &partial);
    check_guest_pkru(
        t,
        &xs,
        offset,
        "KVM_GET_XSAVE carries PKRU after KVM_SET_XSAVE of an area without it",
    );

    // SAFETY: CPUID exists on every x86-64 CPU.  The intrinsic is unsafe in
    // Rust 1.85 (Debian 12 without its security suite), safe in 1.96.
    #[allow(unused_unsafe)]
    let ospke = unsafe { __cpuid_count(7, 0) }.ecx & (1 << 4) != 0;
    if !ospke {
        t.skip("PKRU in KVM_GET_XSAVE after KVM_RUN", "the VMM's CPU has no OSPKE");
        run_to_hlt(vcpu);
        return true;
    }
    let own = rdpkru();
    wrpkru(0);
    run_to_hlt(vcpu);
    wrpkru(own);
    let xs = vcpu.get_xsave().unwrap_or_else(|e| die("KVM_GET_XSAVE", e));
    check_guest_pkru(
        t,
        &xs,
        offset,
        "KVM_GET_XSAVE keeps the guest's PKRU after KVM_RUN from a VMM thread with PKRU 0",
    );
    // What a restore on the destination does with what was saved.
    let back = restore_and_save(vcpu, &xs);
    check_guest_pkru(t, &back, offset, "KVM_SET_XSAVE of the saved area restores the guest's PKRU");
    true
}

fn main() {
    println!("TAP version 13");
    let mut t = Ktap { n: 0, failed: 0, skipped: 0 };
    let kvm = Kvm::new().unwrap_or_else(|e| die("open /dev/kvm", e));
    let vm = kvm.create_vm().unwrap_or_else(|e| die("KVM_CREATE_VM", e));
    let checked = disable_quirk(&mut t, &kvm, &vm);
    let cpuid = kvm
        .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
        .unwrap_or_else(|e| die("KVM_GET_SUPPORTED_CPUID", e));
    let mut vcpu = vm.create_vcpu(0).unwrap_or_else(|e| die("KVM_CREATE_VCPU", e));
    vcpu.set_cpuid2(&cpuid).unwrap_or_else(|e| die("KVM_SET_CPUID2", e));
    setup_guest(&vm, &vcpu);

    if checked {
        arch_capabilities(&mut t, &kvm, &vcpu);
    }
    cpuid_refused_before_run(&mut t, &vcpu);
    if !pkru(&mut t, &mut vcpu, &cpuid) {
        run_to_hlt(&mut vcpu);
    }
    cpuid_after_run(&mut t, &vcpu);

    println!("1..{}", t.n);
    println!(
        "# Totals: pass:{} fail:{} xfail:0 xpass:0 skip:{} error:0",
        t.n - t.failed - t.skipped,
        t.failed,
        t.skipped
    );
    exit(if t.failed != 0 {
        1
    } else if t.skipped != 0 {
        4
    } else {
        0
    });
}
