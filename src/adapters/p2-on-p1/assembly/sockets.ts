// wasi:sockets. p1 can only accept on, read, write and shut down sockets
// that are already open when the program starts, and a WASI 0.2 program has
// no way to name such a socket: every socket resource comes from
// create-tcp-socket / create-udp-socket / resolve-addresses, which p1 cannot
// provide. So those return not-supported, and no tcp-socket, udp-socket,
// datagram-stream or resolve-address-stream handle can ever exist: their
// methods and drops can only be called with an unknown handle, and trap.
// Only `network` is real (it carries no state).
import { NETWORK, create, slot, release } from "./handles";

const NOT_SUPPORTED: u8 = 2; // wasi:sockets/network.error-code

/** result<resource, error-code> = err(not-supported), payload at +4. */
function notSupported(ret: usize): void {
  store<u8>(ret, 1);
  store<u8>(ret, NOT_SUPPORTED, 4);
}

export function sockets_instance_network_instance_network(): u32 {
  return create(NETWORK);
}
export function sockets_network__resource_drop_network(self: u32): void {
  slot(self, NETWORK);
  release(self);
}
export function sockets_tcp_create_socket_create_tcp_socket(_family: u32, ret: usize): void {
  notSupported(ret);
}
export function sockets_udp_create_socket_create_udp_socket(_family: u32, ret: usize): void {
  notSupported(ret);
}
export function sockets_ip_name_lookup_resolve_addresses(network: u32, _ptr: usize, _len: usize, ret: usize): void {
  slot(network, NETWORK);
  notSupported(ret);
}

// Methods and drops of resources that cannot exist (see above): any handle is unknown.
export function sockets_udp__method_udp_socket_start_bind(_self: u32, _a1: u32, _a2: u32, _a3: u32, _a4: u32, _a5: u32, _a6: u32, _a7: u32, _a8: u32, _a9: u32, _a10: u32, _a11: u32, _a12: u32, _a13: u32, _a14: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_finish_bind(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_stream(_self: u32, _a1: u32, _a2: u32, _a3: u32, _a4: u32, _a5: u32, _a6: u32, _a7: u32, _a8: u32, _a9: u32, _a10: u32, _a11: u32, _a12: u32, _a13: u32, _a14: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_local_address(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_remote_address(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_address_family(_self: u32): u32 { return unreachable(); }
export function sockets_udp__method_udp_socket_unicast_hop_limit(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_set_unicast_hop_limit(_self: u32, _a1: u32, _a2: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_receive_buffer_size(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_set_receive_buffer_size(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_send_buffer_size(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_set_send_buffer_size(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_udp__method_udp_socket_subscribe(_self: u32): u32 { return unreachable(); }
export function sockets_udp__method_incoming_datagram_stream_receive(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_udp__method_incoming_datagram_stream_subscribe(_self: u32): u32 { return unreachable(); }
export function sockets_udp__method_outgoing_datagram_stream_check_send(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_udp__method_outgoing_datagram_stream_send(_self: u32, _a1: u32, _a2: u32, _a3: u32): void { unreachable(); }
export function sockets_udp__method_outgoing_datagram_stream_subscribe(_self: u32): u32 { return unreachable(); }
export function sockets_udp__resource_drop_udp_socket(_self: u32): void { unreachable(); }
export function sockets_udp__resource_drop_incoming_datagram_stream(_self: u32): void { unreachable(); }
export function sockets_udp__resource_drop_outgoing_datagram_stream(_self: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_start_bind(_self: u32, _a1: u32, _a2: u32, _a3: u32, _a4: u32, _a5: u32, _a6: u32, _a7: u32, _a8: u32, _a9: u32, _a10: u32, _a11: u32, _a12: u32, _a13: u32, _a14: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_finish_bind(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_start_connect(_self: u32, _a1: u32, _a2: u32, _a3: u32, _a4: u32, _a5: u32, _a6: u32, _a7: u32, _a8: u32, _a9: u32, _a10: u32, _a11: u32, _a12: u32, _a13: u32, _a14: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_finish_connect(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_start_listen(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_finish_listen(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_accept(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_local_address(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_remote_address(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_is_listening(_self: u32): u32 { return unreachable(); }
export function sockets_tcp__method_tcp_socket_address_family(_self: u32): u32 { return unreachable(); }
export function sockets_tcp__method_tcp_socket_set_listen_backlog_size(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_keep_alive_enabled(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_keep_alive_enabled(_self: u32, _a1: u32, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_keep_alive_idle_time(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_keep_alive_idle_time(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_keep_alive_interval(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_keep_alive_interval(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_keep_alive_count(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_keep_alive_count(_self: u32, _a1: u32, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_hop_limit(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_hop_limit(_self: u32, _a1: u32, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_receive_buffer_size(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_receive_buffer_size(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_send_buffer_size(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_set_send_buffer_size(_self: u32, _a1: u64, _a2: u32): void { unreachable(); }
export function sockets_tcp__method_tcp_socket_subscribe(_self: u32): u32 { return unreachable(); }
export function sockets_tcp__method_tcp_socket_shutdown(_self: u32, _a1: u32, _a2: u32): void { unreachable(); }
export function sockets_tcp__resource_drop_tcp_socket(_self: u32): void { unreachable(); }
export function sockets_ip_name_lookup__method_resolve_address_stream_resolve_next_address(_self: u32, _a1: u32): void { unreachable(); }
export function sockets_ip_name_lookup__method_resolve_address_stream_subscribe(_self: u32): u32 { return unreachable(); }
export function sockets_ip_name_lookup__resource_drop_resolve_address_stream(_self: u32): void { unreachable(); }
