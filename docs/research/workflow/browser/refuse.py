import socket, threading, time
N=50; res=[None]*N
def run(i):
    try:
        s=socket.create_connection(('127.0.0.1',18090)); s.settimeout(8)
        s.sendall(b'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')
        d=s.recv(4096); res[i]='ok' if d.startswith(b'HTTP/1.1 200') else ('eof' if not d else 'other')
        time.sleep(3)  # hold the keep-alive connection (and its Poco thread)
    except Exception as e: res[i]=type(e).__name__
ts=[threading.Thread(target=run,args=(i,)) for i in range(N)]
[t.start() for t in ts]; [t.join() for t in ts]
from collections import Counter; print(Counter(res))
