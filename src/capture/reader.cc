#include "capture/reader.h"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace mecguard::capture {
namespace {

// One arena per Reader, kept for its lifetime. Before each record at least kMaxFrameBytes
// stay free, so any record fits and the batch ends early instead of growing the arena.
constexpr size_t kArenaBytes = size_t{4} * kMaxFrameBytes;

struct LinkEntry {
  int dlt;
  decode::LinkType link;
  std::string_view name;
};
constexpr LinkEntry kLinks[] = {
    {DLT_EN10MB, decode::LinkType::kEthernet, "ethernet"},
    {DLT_RAW, decode::LinkType::kRaw, "raw"},
    {DLT_IPV4, decode::LinkType::kIpv4, "ipv4"},
    {DLT_IPV6, decode::LinkType::kIpv6, "ipv6"},
    {DLT_LINUX_SLL, decode::LinkType::kLinuxSll, "sll"},
    {DLT_LINUX_SLL2, decode::LinkType::kLinuxSll2, "sll2"},
};

std::string libpcap_text(const char* msg) {
  std::string s = msg == nullptr ? std::string() : std::string(msg);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? std::string("no detail") : s;
}

}  // namespace

struct Reader::Handle {
  pcap_t* pcap = nullptr;
  std::vector<uint8_t> memory;  // open_memory(): the bytes fmemopen reads
  ~Handle() {
    if (pcap != nullptr) pcap_close(pcap);  // also closes the FILE*
  }
};

Expected<decode::LinkType> link_type_from_dlt(int dlt) {
  for (const auto& e : kLinks) {
    if (e.dlt == dlt) return e.link;
  }
  const char* n = pcap_datalink_val_to_name(dlt);
  std::string msg = "unsupported link type " + std::to_string(dlt);
  if (n != nullptr) msg += std::string(" (") + n + ")";
  msg += "; supported: ethernet, raw IP (101/228/229), Linux cooked SLL (113) and SLL2 (276)";
  return Unexpected(Error(ErrorCode::kUnsupported, std::move(msg)));
}

std::string_view link_type_name(decode::LinkType link) {
  for (const auto& e : kLinks) {
    if (e.link == link) return e.name;
  }
  return "unknown";
}

Reader::Reader(std::unique_ptr<Handle> h, std::string name, decode::LinkType link, int dlt,
               uint32_t snaplen)
    : h_(std::move(h)), name_(std::move(name)), link_(link), dlt_(dlt), snaplen_(snaplen) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

Expected<Reader> Reader::from_handle(std::unique_ptr<Handle> h, std::string name) {
  const int dlt = pcap_datalink(h->pcap);
  auto link = link_type_from_dlt(dlt);
  if (!link) return Unexpected(Error(link.error().code, link.error().message, name));
  const int snap = pcap_snapshot(h->pcap);
  return Reader(std::move(h), std::move(name), *link, dlt,
                snap > 0 ? static_cast<uint32_t>(snap) : 0);
}

namespace {

// Opens a FILE* through libpcap; takes ownership of `f` (closed on failure too).
Expected<pcap_t*> open_pcap(FILE* f, const std::string& name) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    std::fclose(f);
    return Unexpected(Error(
        ErrorCode::kParse,
        "not a readable pcap or pcapng capture (libpcap: " + libpcap_text(errbuf) + ")", name));
  }
  return p;
}

}  // namespace

Expected<Reader> Reader::open(const std::string& path) {
  if (path.empty()) {
    return Unexpected(Error(ErrorCode::kInvalidArgument, "empty capture path"));
  }
  FILE* f = nullptr;
  if (path == "-") {
    f = stdin;
  } else {
    f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      return Unexpected(
          Error(ErrorCode::kIo, std::string("cannot open: ") + std::strerror(errno), path));
    }
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::fclose(f);
      return Unexpected(Error(ErrorCode::kIo, "cannot open: is a directory", path));
    }
  }
  auto p = open_pcap(f, path);
  if (!p) return Unexpected(std::move(p).error());
  auto h = std::make_unique<Handle>();
  h->pcap = *p;
  return from_handle(std::move(h), path == "-" ? std::string("<stdin>") : path);
}

Expected<Reader> Reader::open_memory(Bytes bytes, std::string name) {
  auto h = std::make_unique<Handle>();
  h->memory.assign(bytes.begin(), bytes.end());
  if (h->memory.empty()) {
    return Unexpected(Error(ErrorCode::kParse, "empty capture", name));
  }
  FILE* f = fmemopen(h->memory.data(), h->memory.size(), "rb");
  if (f == nullptr) {
    return Unexpected(
        Error(ErrorCode::kIo, std::string("fmemopen: ") + std::strerror(errno), name));
  }
  auto p = open_pcap(f, name);
  if (!p) return Unexpected(std::move(p).error());
  h->pcap = *p;
  return from_handle(std::move(h), std::move(name));
}

size_t Reader::read_batch(std::span<Frame> out) {
  if (ended_ || out.empty()) return 0;
  if (arena_.size() < kArenaBytes) arena_.resize(kArenaBytes);  // once per Reader
  size_t used = 0;
  size_t n = 0;
  while (n < out.size() && arena_.size() - used >= kMaxFrameBytes) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(h_->pcap, &hdr, &data);
    const uint64_t number = frames_read_ + 1;
    if (rc == PCAP_ERROR_BREAK) {  // clean end of file
      ended_ = true;
      break;
    }
    if (rc != 1) {
      const std::string detail = libpcap_text(pcap_geterr(h_->pcap));
      const bool cut = detail.find("truncated") != std::string::npos;
      error_ = Error(
          ErrorCode::kParse,
          std::string(cut ? "truncated record" : "corrupt record") + " (libpcap: " + detail + ")",
          name_ + ": frame " + std::to_string(number));
      ended_ = true;
      break;
    }
    if (hdr->caplen > kMaxFrameBytes || (hdr->caplen > 0 && data == nullptr)) {
      error_ = Error(ErrorCode::kLimit,
                     "corrupt record (captured length " + std::to_string(hdr->caplen) +
                         " exceeds the maximum of " + std::to_string(kMaxFrameBytes) + ")",
                     name_ + ": frame " + std::to_string(number));
      ended_ = true;
      break;
    }
    uint8_t* dst = arena_.data() + used;
    if (hdr->caplen > 0) std::memcpy(dst, data, hdr->caplen);
    used += hdr->caplen;
    Frame& f = out[n++];
    f.data = Bytes(dst, hdr->caplen);
    // tv_sec/tv_usec are non-negative: libpcap reads them from unsigned 32-bit fields, and
    // with nanosecond precision tv_usec holds nanoseconds.
    f.ts_ns = static_cast<uint64_t>(hdr->ts.tv_sec) * 1000000000ULL +
              static_cast<uint64_t>(hdr->ts.tv_usec);
    f.orig_len = hdr->len < hdr->caplen ? hdr->caplen : hdr->len;
    f.number = number;
    frames_read_ = number;
    if (f.truncated()) ++truncated_frames_;
  }
  return n;
}

}  // namespace mecguard::capture
