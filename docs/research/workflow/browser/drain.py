import socket,sys
T='TESTTOKEN_abcdefghijklmnopqrstuvwxyz0123456'
body=b'naam='+b'GET /plain HTTP/1.1\r\nHost: x\r\n\r\n'*700
s=socket.create_connection(('127.0.0.1',18080))
req=(f'POST /t/{T}/sign HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n').encode()+body
s.sendall(req)
s.settimeout(2)
data=b''
try:
    while True:
        d=s.recv(65536)
        if not d: break
        data+=d
except Exception as e: pass
print(len(body), 'bytes body; responses:', data.count(b'HTTP/1.1 '), [l for l in data.split(b'\r\n') if l.startswith(b'HTTP/1.1')][:4])
