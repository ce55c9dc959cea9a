// Callmark's patch to the mediasoup worker (applied by scripts/setup.mjs, which copies this file to
// worker/include/RTC/ and adds three small hooks to PlainTransport): the call recorder's RTP leaves
// the worker in batches instead of one UDP datagram per packet.
//
// A PlainTransport connected to 127.0.0.1:<port> first looks for a Callmark recording receiver
// listening on the abstract Unix stream socket "callmark-rtp-<port>" (media/recording/native/
// rtp-receiver.c opens it next to its UDP socket). If there is one, the transport's RTP goes into a
// per-worker buffer, written to that socket at most every FLUSH_MS (one write for every packet of
// every recording of this worker in that time, where UDP took one sendmsg and one socket-buffer
// enqueue per packet); if there is none (any other peer, an unpatched receiver), the transport sends
// UDP as mediasoup always does. Nothing else changes: RTCP, SRTP transports, the Node API.
//
// Each record: u16le length of what follows, u16le the transport's local UDP port (the receiver
// routes by it, as by a UDP source port), f64le the time the worker sent it (CLOCK_MONOTONIC, ms),
// then the RTP packet as it would have been sent.
//
// If the receiver goes away (it is restarted by Node on the same port), what is buffered is dropped
// and the next flush connects again: the same packets UDP would have lost meanwhile. If the receiver
// stops reading, at most MAX_BUFFERED bytes wait here; beyond that new packets are dropped (counted).
#ifndef CALLMARK_RECORDING_SINK_HPP
#define CALLMARK_RECORDING_SINK_HPP

#include "handles/Timer.hpp"
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>
#include <vector>

namespace RTC
{
	class CallmarkRecordingSink : public Timer::Listener
	{
	public:
		static constexpr uint64_t FLUSH_MS{ 10u };
		static constexpr size_t FLUSH_BYTES{ 64u * 1024u };
		static constexpr size_t MAX_BUFFERED{ 8u * 1024u * 1024u };

		/** The sink of a transport connected to ip:port, or nullptr if no recording receiver is there. */
		static CallmarkRecordingSink* For(const std::string& ip, uint16_t port)
		{
			if (ip != "127.0.0.1")
				return nullptr;

			// One per receiver port this worker has recorded to, kept for the worker's life.
			static std::map<uint16_t, CallmarkRecordingSink*> sinks;
			auto it = sinks.find(port);

			if (it != sinks.end())
				return it->second;

			auto* sink = new CallmarkRecordingSink(port);

			if (!sink->Connect())
			{
				delete sink;

				return nullptr;
			}

			sinks[port] = sink;

			return sink;
		}

		void Append(uint16_t localPort, const uint8_t* data, size_t len)
		{
			if (this->buffer.size() + len + 12 > MAX_BUFFERED)
			{
				this->dropped++;

				return;
			}

			const double sentMs = static_cast<double>(uv_hrtime()) / 1e6;
			const size_t at     = this->buffer.size();

			this->buffer.resize(at + 12 + len);

			uint8_t* r         = this->buffer.data() + at;
			const auto recLen  = static_cast<uint16_t>(10 + len);
			r[0]               = static_cast<uint8_t>(recLen);
			r[1]               = static_cast<uint8_t>(recLen >> 8);
			r[2]               = static_cast<uint8_t>(localPort);
			r[3]               = static_cast<uint8_t>(localPort >> 8);
			std::memcpy(r + 4, &sentMs, 8); // x86-64 and arm64 are little-endian, like f64le
			std::memcpy(r + 12, data, len);

			if (this->buffer.size() - this->written >= FLUSH_BYTES)
				Flush();
			else if (!this->timer->IsActive())
				this->timer->Start(FLUSH_MS);
		}

		void OnTimer(Timer* /*timer*/) override
		{
			Flush();
		}

	private:
		explicit CallmarkRecordingSink(uint16_t port) : port(port), timer(new Timer(this))
		{
		}

		~CallmarkRecordingSink() override
		{
			delete this->timer;

			if (this->fd >= 0)
				close(this->fd);
		}

		bool Connect()
		{
			if (this->fd >= 0)
				close(this->fd);

			this->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

			if (this->fd < 0)
				return false;

			struct sockaddr_un addr;
			std::memset(&addr, 0, sizeof(addr));
			addr.sun_family = AF_UNIX;
			const std::string name = "callmark-rtp-" + std::to_string(this->port);
			std::memcpy(addr.sun_path + 1, name.data(), name.size()); // abstract: sun_path[0] == 0
			auto addrLen = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + 1 + name.size());

			if (connect(this->fd, reinterpret_cast<struct sockaddr*>(&addr), addrLen) != 0)
			{
				close(this->fd);
				this->fd = -1;

				return false;
			}

			// Only a receiver of this worker's own user gets the recordings (an abstract socket name has
			// no file permissions: another user could have taken it first).
			struct ucred peer;
			socklen_t peerLen = sizeof(peer);

			if (getsockopt(this->fd, SOL_SOCKET, SO_PEERCRED, &peer, &peerLen) != 0 || peer.uid != getuid())
			{
				close(this->fd);
				this->fd = -1;

				return false;
			}

			int sndbuf = 4 << 20;
			setsockopt(this->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

			return true;
		}

		void Flush()
		{
			while (this->written < this->buffer.size())
			{
				if (this->fd < 0 && !Connect())
					break;

				const ssize_t w = send(
				  this->fd,
				  this->buffer.data() + this->written,
				  this->buffer.size() - this->written,
				  MSG_NOSIGNAL | MSG_DONTWAIT);

				if (w > 0)
				{
					this->written += static_cast<size_t>(w);

					continue;
				}

				if (w < 0 && errno == EINTR)
					continue;

				if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				{
					// The receiver is behind: the rest waits for the next flush.
					this->buffer.erase(this->buffer.begin(), this->buffer.begin() + static_cast<std::ptrdiff_t>(this->written));
					this->written = 0;
					this->timer->Start(FLUSH_MS);

					return;
				}

				// The receiver is gone (restarting): what is buffered is lost, as UDP would have lost it;
				// a record cut in half must not reach the next connection, so start from a clean buffer.
				close(this->fd);
				this->fd = -1;
				this->dropped++;

				break;
			}

			this->buffer.clear();
			this->written = 0;
		}

	private:
		const uint16_t port;
		Timer* timer{ nullptr };
		int fd{ -1 };
		std::vector<uint8_t> buffer;
		size_t written{ 0u };
		uint64_t dropped{ 0u };
	};
} // namespace RTC

#endif
