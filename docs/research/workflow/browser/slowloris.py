# n clients each send one header byte every 2 s (never finishing the request); probe a new request.
import socket, time, subprocess, sys, threading
port=18093; n=int(sys.argv[1]); stop=time.time()+14
def trickle():
    s=socket.create_connection(('127.0.0.1',port)); s.sendall(b'GET /plain HTTP/1.1\r\nX: ')
    try:
        while time.time()<stop: time.sleep(2); s.sendall(b'a')
    except Exception as e: print('trickler dropped:', type(e).__name__)
ts=[threading.Thread(target=trickle) for _ in range(n)]; [t.start() for t in ts]; time.sleep(0.5)
r=subprocess.run(['curl','-s','-m','20','-o','/dev/null','-w','%{http_code} %{time_total}s',f'http://127.0.0.1:{port}/plain'],capture_output=True,text=True)
print(f'{n} trickling clients, server --timeout 3; new request:', r.stdout or 'timeout')
[t.join() for t in ts]
