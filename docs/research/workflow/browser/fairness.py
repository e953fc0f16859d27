# 50 keep-alive connections, each sends GET /plain in a loop for D seconds; count per connection.
import socket, threading, time, sys
N=int(sys.argv[1]) if len(sys.argv)>1 else 50; D=5; port=int(sys.argv[2]) if len(sys.argv)>2 else 18090
counts=[0]*N; first=[None]*N
req=b'GET /plain HTTP/1.1\r\nHost: x\r\n\r\n'
t0=time.time()
def run(i):
    try:
        s=socket.create_connection(('127.0.0.1',port)); s.settimeout(D+1)
        while time.time()-t0<D:
            s.sendall(req); buf=b''
            while b'ok\n' not in buf:
                d=s.recv(4096)
                if not d: return
                buf+=d
            if first[i] is None: first[i]=time.time()-t0
            counts[i]+=1
    except Exception as e: pass
ts=[threading.Thread(target=run,args=(i,)) for i in range(N)]
[t.start() for t in ts]; [t.join() for t in ts]
served=sum(1 for c in counts if c>0)
fs=sorted(f for f in first if f is not None)
late=sum(1 for f in fs if f>1.0)
print(f'first response >1s: {late} conns; ', end='')
print(f'connections={N} served={served} starved={N-served} total_requests={sum(counts)} first-response max={max([f for f in first if f is not None]):.3f}s')
