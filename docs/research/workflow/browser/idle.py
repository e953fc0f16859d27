import socket, time, subprocess, sys
port=18090; n=int(sys.argv[1])
socks=[socket.create_connection(('127.0.0.1',port)) for _ in range(n)]  # connect, send nothing
time.sleep(0.3)
r=subprocess.run(['curl','-s','-m','20','-o','/dev/null','-w','%{http_code} %{time_total}s',f'http://127.0.0.1:{port}/plain'],capture_output=True,text=True)
print(f'{n} idle connections; new request:', r.stdout or 'timeout')
