/* sync: have every file system write out what it holds in memory. */
#include <unistd.h>

int main(void)
{
	sync();
	return 0;
}
